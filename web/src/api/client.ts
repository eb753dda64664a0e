import type { ApiErrorBody } from "../../../worker/contract";

/** The contract's error body as a thrown value; `status` 0 means the request never got an answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

let onUnauthenticated: () => void = () => {};

/** Lets the session store react once, centrally, when any call finds the session gone. */
export const setUnauthenticatedHandler = (handler: () => void): void => {
  onUnauthenticated = handler;
};

const isApiError = (value: unknown): value is ApiErrorBody =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ApiErrorBody).error === "object" &&
  typeof (value as ApiErrorBody).error?.code === "string";

export const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new HttpError(0, "network", "network error");
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (response.ok) return data as T;
  if (isApiError(data)) {
    if (data.error.code === "unauthenticated") onUnauthenticated();
    throw new HttpError(response.status, data.error.code, data.error.message, data.error.fields);
  }
  throw new HttpError(response.status, "unknown", `HTTP ${response.status}`);
};
