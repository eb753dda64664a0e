export * from "./limits";
export * from "./schemas";
export type * from "./types";
export * from "./visible-text";
