export * from "./limits";
export * from "./push";
export * from "./schemas";
export * from "./sockets";
export type * from "./types";
export * from "./visible-text";
export * from "./unread";
