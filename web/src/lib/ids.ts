/** A fresh idempotency key for a send; the server de-duplicates resends by it. */
export const newClientId = (): string => {
  // randomUUID exists only in secure contexts; a LAN address over plain http is not one.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
};
