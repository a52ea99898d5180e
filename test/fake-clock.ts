/** A clock for tests: `sleep` advances time instead of waiting. */
export class FakeClock {
  readonly slept: number[] = [];
  constructor(public t = Date.parse("2026-01-15T12:00:00Z")) {}
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.slept.push(ms);
    this.t += ms;
  };
}
