/** Socket limits and close codes a client acts on (docs/api.md, "Events socket"). */
export const EVENTS_SOCKETS = {
  /** Open `/api/events` sockets per user; opening one more closes the oldest. */
  perUser: 50,
  /**
   * Close code of the socket closed to make room. The client does not reconnect on it by itself (it
   * would close the next-oldest tab, and so on round all of them): only when its tab is shown again.
   */
  closeTooManyTabs: 4001,
} as const;
