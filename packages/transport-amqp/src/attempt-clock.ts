/** Why an attempt stopped waiting: its deadline passed, or its signal aborted. */
export type StopReason = "timeout" | "aborted";

/**
 * One attempt's deadline and abort signal as a promise every wait races against, so waiting for
 * a connection, for flow control or for a confirm all end at the same moment.
 */
export class AttemptClock {
  readonly stopped: Promise<StopReason>;
  readonly #deadline: number;
  #reason: StopReason | undefined;
  #dispose: () => void = () => {};

  constructor(timeoutMs: number, signal: AbortSignal) {
    this.#deadline = Date.now() + timeoutMs;
    this.stopped = new Promise<StopReason>((resolve) => {
      const stop = (reason: StopReason) => {
        this.#reason ??= reason;
        resolve(this.#reason);
      };
      const timer = setTimeout(() => stop("timeout"), timeoutMs);
      const onAbort = () => stop("aborted");
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) stop("aborted");
      this.#dispose = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
    });
  }

  /** Set once the attempt stopped waiting. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Milliseconds left before the deadline. */
  remaining(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  /** `work`'s value, or the stop reason if the attempt stops first. */
  race<T>(work: Promise<T>): Promise<T | { readonly stopped: StopReason }> {
    return Promise.race([work, this.stopped.then((stopped) => ({ stopped }))]);
  }

  dispose(): void {
    this.#dispose();
  }
}
