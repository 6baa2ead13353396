// Autosave: every change of an answer is a save with the next `client_seq` of its question
// and its own Idempotency-Key. A save that fails for the network is sent again with the same
// key (the server answers the first receipt if it got it), unless a newer save of the same
// question is waiting: that one replaces it. Saves of one question go one at a time, in order.

export type Answer = { option_ids?: string[]; text?: string; code?: string };

export type Receipt = { question_id: string; client_seq: number; saved_at: string };

export type SendResult =
  | { ok: true; receipt: Receipt }
  | { ok: false; network: true } // no answer: try again
  | { ok: false; network: false; code: string; detail: string }; // refused: do not retry

export type Pending = { questionId: string; seq: number; answer: Answer; key: string };

/** Where unsent saves outlive the page (IndexedDB in the browser: `unsent.ts`). */
export type UnsentStore = {
  load: () => Promise<Pending[]>;
  keep: (unsent: Pending[]) => Promise<void>;
};

export type QueueState = {
  /** Saves not yet acknowledged, by question. */
  unsent: number;
  /** The last try failed for the network: the page says it is offline. */
  offline: boolean;
  /** Why the server refuses saves for good (the attempt was submitted, the time is over). */
  closed: { code: string; detail: string } | null;
};

/** Refusals after which no save of this attempt can succeed. */
export const CLOSING = new Set(["attempt_submitted", "deadline_passed", "attempt_not_found"]);

export class SaveQueue {
  private seqs = new Map<string, number>();
  private waiting = new Map<string, Pending>();
  private sending = new Set<string>();
  private state: QueueState = { unsent: 0, offline: false, closed: null };

  constructor(
    private send: (save: Pending) => Promise<SendResult>,
    private onReceipt: (receipt: Receipt) => void,
    private onState: (state: QueueState) => void,
    private newKey: () => string,
    private wait: (ms: number) => Promise<void> = (ms) =>
      new Promise((done) => setTimeout(done, ms)),
    /** The newest client_seq the server holds per question (resuming an attempt). */
    known: Record<string, number> = {},
    /** A save refused for itself (too long, say): the page shows why by its question. */
    private onRefused: (save: Pending, code: string, detail: string) => void = () => {},
    /** Every unsent save is kept here until acknowledged: a closed tab or a crash loses
     * nothing, and the next page sends them again with their own keys. */
    private unsent: UnsentStore | null = null,
  ) {
    for (const [questionId, seq] of Object.entries(known)) this.seqs.set(questionId, seq);
  }

  /** Sends again what an earlier page could not (its saves newer than what the server
   * holds, with their original keys); returns them, for the page to show. */
  async resume(): Promise<Pending[]> {
    if (!this.unsent) return [];
    let kept: Pending[];
    try {
      kept = await this.unsent.load();
    } catch {
      return []; // no storage here (a private window): nothing was kept either
    }
    const newest = new Map<string, Pending>();
    for (const save of kept) {
      if (save.seq <= (this.seqs.get(save.questionId) ?? 0)) continue; // it arrived
      const before = newest.get(save.questionId);
      if (!before || before.seq < save.seq) newest.set(save.questionId, save);
    }
    for (const save of newest.values()) {
      this.seqs.set(save.questionId, save.seq);
      this.waiting.set(save.questionId, save);
    }
    this.changed();
    for (const questionId of newest.keys()) void this.pump(questionId);
    return [...newest.values()];
  }

  /** Queue the newest answer to a question; it is sent as soon as the one before is done. */
  save(questionId: string, answer: Answer): Pending | null {
    if (this.state.closed) return null;
    const seq = (this.seqs.get(questionId) ?? 0) + 1;
    this.seqs.set(questionId, seq);
    const save = { questionId, seq, answer, key: this.newKey() };
    this.waiting.set(questionId, save); // an older unsent one of this question is replaced
    this.changed();
    void this.pump(questionId);
    return save;
  }

  private inFlight = new Map<string, Pending>();

  private changed(patch: Partial<QueueState> = {}) {
    const unsent = new Set([...this.waiting.keys(), ...this.sending]).size;
    this.state = { ...this.state, ...patch, unsent };
    this.onState(this.state);
    if (this.unsent) {
      const all = [...this.inFlight.values(), ...this.waiting.values()];
      // Best effort: a storage failure must not stop the saves themselves.
      this.unsent.keep(all).catch(() => {});
    }
  }

  private async pump(questionId: string) {
    if (this.sending.has(questionId)) return;
    let save = this.waiting.get(questionId);
    if (!save) return;
    this.sending.add(questionId);
    this.inFlight.set(questionId, save);
    this.waiting.delete(questionId);
    let backoff = 500;
    try {
      for (;;) {
        const result = await this.send(save);
        if (result.ok) {
          this.onReceipt(result.receipt);
          this.changed({ offline: false });
          break;
        }
        if (!result.network) {
          if (CLOSING.has(result.code)) {
            this.waiting.clear();
            this.changed({ closed: { code: result.code, detail: result.detail } });
          } else {
            this.onRefused(save, result.code, result.detail);
          }
          break;
        }
        this.changed({ offline: true });
        await this.wait(backoff);
        backoff = Math.min(backoff * 2, 10_000);
        const newer = this.waiting.get(questionId);
        if (newer) {
          // The newer save carries the newest answer: the failed one need not arrive.
          this.waiting.delete(questionId);
          save = newer;
          this.inFlight.set(questionId, save);
        }
      }
    } finally {
      this.sending.delete(questionId);
      this.inFlight.delete(questionId);
      this.changed();
      if (this.waiting.has(questionId)) void this.pump(questionId);
    }
  }
}
