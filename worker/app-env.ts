import type { User } from "./contract";

export interface SessionInfo {
  id: string;
  /** Epoch ms after which the session no longer counts, carried to sockets so they can close themselves. */
  expiresAt: number;
}

export interface AppEnv {
  Bindings: Env;
  /** `joinedSeq`: the caller's membership of the room in the path, set by requireMember. */
  Variables: { user: User; session: SessionInfo; joinedSeq: number };
}
