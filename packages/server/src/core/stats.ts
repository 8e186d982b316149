/** A counter with a total and the count of the last full second. */
export class RateCounter {
  total = 0;
  perSecond = 0;
  private atLastTick = 0;

  /** Called once a second by the hub's clock. */
  tick(): void {
    this.perSecond = this.total - this.atLastTick;
    this.atLastTick = this.total;
  }

  snapshot(): { total: number; perSecond: number } {
    return { total: this.total, perSecond: this.perSecond };
  }
}

/** The hub's message counters. */
export class HubCounters {
  readonly messagesIn = new RateCounter();
  readonly messagesOut = new RateCounter();
  readonly published = new RateCounter();

  tick(): void {
    this.messagesIn.tick();
    this.messagesOut.tick();
    this.published.tick();
  }
}
