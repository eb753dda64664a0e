/** Socket limits and close codes a client acts on (docs/api.md, "Room socket details", "Events socket"). */
export const SOCKET_LIMITS = {
  /** Open `/api/events` sockets per user; opening one more closes the oldest. */
  eventsPerUser: 50,
  /** Open sockets of one member in one room (tabs); opening one more closes the oldest. */
  roomPerMember: 20,
  /**
   * Close code of the socket closed to make room. The client does not reconnect on it by itself (it
   * would close the next-oldest tab, and so on round all of them): only when its tab is shown again.
   */
  closeTooManyTabs: 4001,
  /** Close code of a room socket whose user is no longer a member (they left): the client leaves the room, no reconnect. */
  closeNotMember: 4403,
} as const;
