/**
 * An object has one alarm; its parts (the chat-list backstop, the D1 write-behind) each ask for a
 * time and the earliest wins. `alarm()` then runs every part, and each asks again for what it still
 * owes, so an alarm earlier than a part wanted costs a look, never a loss. Set only when it moves
 * earlier: every `setAlarm` is a storage write.
 */
export class AlarmClock {
  /** When the alarm is set for, as this instance knows it (read at wake-up by `load`). */
  private setFor: number | null = null;

  constructor(private readonly storage: DurableObjectStorage) {}

  async load(): Promise<void> {
    this.setFor = await this.storage.getAlarm();
  }

  at(time: number, now = Date.now()): void {
    if (this.setFor !== null && this.setFor <= time && this.setFor > now) return;
    this.setFor = time;
    this.storage.setAlarm(time).catch((err: unknown) => console.error("setting the alarm failed", err));
  }

  /** The alarm fired: nothing is set until a part asks again. */
  fired(): void {
    this.setFor = null;
  }
}
