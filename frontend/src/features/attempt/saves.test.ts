import { describe, expect, it, vi } from "vitest";
import { SaveQueue, type Pending, type QueueState, type SendResult } from "./saves";

function queue(results: SendResult[], known: Record<string, number> = {}) {
  const sent: Pending[] = [];
  const receipts: unknown[] = [];
  const states: QueueState[] = [];
  let n = 0;
  const q = new SaveQueue(
    async (save) => {
      sent.push(save);
      return (
        results.shift() ?? {
          ok: true,
          receipt: { question_id: save.questionId, client_seq: save.seq, saved_at: "t" },
        }
      );
    },
    (r) => receipts.push(r),
    (s) => states.push(s),
    () => `key-${++n}`,
    async () => {},
    known,
  );
  return { q, sent, receipts, states };
}

describe("the autosave queue", () => {
  it("numbers each question's saves, going on from what the server holds", async () => {
    const { q, sent, receipts } = queue([], { q1: 4 });
    q.save("q1", { text: "a" });
    q.save("q2", { option_ids: ["b"] });
    await vi.waitFor(() => expect(receipts).toHaveLength(2));
    expect(sent.map((s) => [s.questionId, s.seq])).toEqual([
      ["q1", 5],
      ["q2", 1],
    ]);
  });

  it("sends a save again with the same key when the network failed, and says it is offline", async () => {
    const { q, sent, states, receipts } = queue([{ ok: false, network: true }]);
    q.save("q1", { text: "a" });
    await vi.waitFor(() => expect(receipts).toHaveLength(1));
    expect(sent.map((s) => s.key)).toEqual(["key-1", "key-1"]);
    expect(states.some((s) => s.offline)).toBe(true);
    expect(states.at(-1)).toEqual({ unsent: 0, offline: false, closed: null });
  });

  it("lets a newer answer to the same question replace one that could not be sent", async () => {
    let fail = true;
    const sent: Pending[] = [];
    let release: () => void = () => {};
    const q = new SaveQueue(
      async (save) => {
        sent.push(save);
        if (fail) {
          fail = false;
          return { ok: false, network: true };
        }
        return {
          ok: true,
          receipt: { question_id: save.questionId, client_seq: save.seq, saved_at: "t" },
        };
      },
      () => {},
      () => {},
      (() => {
        let n = 0;
        return () => `key-${++n}`;
      })(),
      () => new Promise<void>((done) => (release = done)),
    );
    q.save("q1", { text: "first" });
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    q.save("q1", { text: "second" }); // typed while offline
    release();
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toMatchObject({ seq: 2, answer: { text: "second" }, key: "key-2" });
  });

  it("stops for good when the server refuses saves (submitted, time over)", async () => {
    const { q, states } = queue([
      {
        ok: false,
        network: false,
        code: "attempt_submitted",
        detail: "this attempt was submitted",
      },
    ]);
    q.save("q1", { text: "a" });
    await vi.waitFor(() => expect(states.at(-1)?.closed?.code).toBe("attempt_submitted"));
    expect(q.save("q1", { text: "b" })).toBeNull();
  });
});

describe("saves that outlive the page", () => {
  function memory(kept: Pending[] = []) {
    const writes: Pending[][] = [];
    return {
      writes,
      store: {
        load: async () => kept,
        keep: async (unsent: Pending[]) => void writes.push(unsent),
      },
    };
  }

  it("keeps every unsent save until it is acknowledged", async () => {
    const { store, writes } = memory();
    const offline: SendResult = { ok: false, network: true };
    let online = false;
    const q = new SaveQueue(
      async (save) =>
        online
          ? {
              ok: true,
              receipt: { question_id: save.questionId, client_seq: save.seq, saved_at: "t" },
            }
          : offline,
      () => {},
      () => {},
      () => "key-1",
      async () => {
        online = true;
      },
      {},
      () => {},
      store,
    );
    q.save("q1", { text: "typed offline" });
    await vi.waitFor(() => expect(writes.at(-1)).toEqual([]));
    expect(writes.some((w) => w.length === 1 && w[0]!.answer.text === "typed offline")).toBe(true);
  });

  it("sends again, with their own keys, the saves an earlier page could not", async () => {
    const kept: Pending[] = [
      { questionId: "q1", seq: 3, answer: { text: "already there" }, key: "k3" },
      { questionId: "q2", seq: 2, answer: { text: "typed offline" }, key: "k2" },
      { questionId: "q2", seq: 1, answer: { text: "older" }, key: "k1" },
    ];
    const { store } = memory(kept);
    const sent: Pending[] = [];
    const q = new SaveQueue(
      async (save) => {
        sent.push(save);
        return {
          ok: true,
          receipt: { question_id: save.questionId, client_seq: save.seq, saved_at: "t" },
        };
      },
      () => {},
      () => {},
      () => "new-key",
      async () => {},
      { q1: 3 }, // the server has q1's third save already
      () => {},
      store,
    );
    const restored = await q.resume();
    expect(restored.map((s) => s.key)).toEqual(["k2"]);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ questionId: "q2", seq: 2, key: "k2" });
    q.save("q2", { text: "next" });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toMatchObject({ seq: 3, key: "new-key" });
  });
});
