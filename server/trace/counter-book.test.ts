/**
 * The books from real count files: what processes count adds up to
 * sent = delivered + failed + lost + in flight, a dead process's counts stay,
 * and what a dead caller or subscriber held is booked lost, once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CountFileWriter } from "@/server/ipc/count-file";
import { CounterBook, type ChannelGroup, type EdgeRole } from "./counter-book";

const books: CounterBook[] = [];
afterEach(() => {
  for (const book of books.splice(0)) book.close();
});

function bookOf(roles: Record<string, EdgeRole>, groups: ChannelGroup[] = [], now = () => Date.now()): CounterBook {
  const book = new CounterBook(`test-${process.pid}-${Math.random().toString(36).slice(2)}`, new Map(Object.entries(roles)), groups, now);
  books.push(book);
  return book;
}

const rest = (source: string, target: string): EdgeRole => ({ source, target, sync: true, atMostOnce: false });

describe("CounterBook", () => {
  it("adds every process's counts into ledgers that add up, outcomes named", () => {
    const book = bookOf({ e: rest("client", "gw") });
    const client = new CountFileWriter(book.attach("client", ["e"]).countsFile, ["e"]);
    client.add("e", "sent", 10);
    client.add("e", "delivered", 6);
    client.add("e", "timed out", 1);
    client.add("e", "overloaded", 2);
    client.add("e", "retries", 3);
    const ledger = book.books().edges.get("e")!;
    expect(ledger).toMatchObject({ sent: 10, delivered: 6, failed: 3, lost: 0, inFlight: 1, retries: 3 });
    expect(ledger.failedBy).toEqual([
      { outcome: "timed out", count: 1 },
      { outcome: "overloaded", count: 2 },
    ]);
    client.close();
  });

  it("books a dead caller's unanswered calls as lost, and keeps its counts beside its successor's", () => {
    const book = bookOf({ e: rest("client", "gw") });
    const first = new CountFileWriter(book.attach("client", ["e"]).countsFile, ["e"]);
    first.add("e", "sent", 5);
    first.add("e", "delivered", 3);
    first.close();
    book.retire("client", { died: true });
    expect(book.books().edges.get("e")).toMatchObject({ sent: 5, delivered: 3, lost: 2, inFlight: 0, lostBy: [{ outcome: "caller died", count: 2 }] });

    const second = new CountFileWriter(book.attach("client", ["e"]).countsFile, ["e"]);
    second.add("e", "sent", 4);
    second.add("e", "delivered", 1);
    expect(book.books().edges.get("e")).toMatchObject({ sent: 9, delivered: 4, lost: 2, inFlight: 3 });
    second.close();
    // Stopped with the run: what it held was in flight at the stop, not lost.
    book.retire("client", { died: false });
    expect(book.books().edges.get("e")).toMatchObject({ sent: 9, delivered: 4, lost: 2, inFlight: 3 });
  });

  it("books an AT_MOST_ONCE subscriber's handed, unended messages as lost once it settled", () => {
    let now = 1_000;
    const book = bookOf({ t: { source: "pub", target: "sub", sync: false, atMostOnce: true } }, [], () => now);
    const pub = new CountFileWriter(book.attach("pub", ["t"]).countsFile, ["t"]);
    const sub = new CountFileWriter(book.attach("sub", ["t"]).countsFile, ["t"]);
    pub.add("t", "sent", 10);
    pub.add("t", "no subscriber", 2);
    pub.add("t", "handed", 7);
    sub.add("t", "delivered", 4);
    sub.add("t", "processing failed", 1);
    sub.close();
    book.retire("sub", { died: true });
    // Before it settles, what the subscriber held is still in flight (a publish may still be booked).
    expect(book.books().edges.get("t")).toMatchObject({ sent: 10, delivered: 4, failed: 1, lost: 2, inFlight: 3 });
    now += 1_000;
    const settled = book.books().edges.get("t")!;
    expect(settled).toMatchObject({ sent: 10, delivered: 4, failed: 1, lost: 4, inFlight: 1 });
    expect(settled.lostBy).toEqual([
      { outcome: "no subscriber", count: 2 },
      { outcome: "subscriber died", count: 2 },
    ]);
    // Booked once: reading again changes nothing.
    expect(book.books().edges.get("t")).toMatchObject({ lost: 4, inFlight: 1 });
    pub.close();
  });

  it("keeps a shared queue channel's books once, and each consumer's share", () => {
    const queue = (target: string): EdgeRole => ({ source: "p", target, sync: false, atMostOnce: false });
    const group: ChannelGroup = { channel: "jobs", edgeIds: ["a", "b"], senderEdgeIds: ["a"] };
    const book = bookOf({ a: queue("w1"), b: queue("w2") }, [group]);
    const producer = new CountFileWriter(book.attach("p", ["a", "b"]).countsFile, ["a", "b"]);
    const w1 = new CountFileWriter(book.attach("w1", ["a"]).countsFile, ["a"]);
    const w2 = new CountFileWriter(book.attach("w2", ["b"]).countsFile, ["b"]);
    // The producer counts each send on both edges of its group.
    producer.add("a", "sent", 10);
    producer.add("b", "sent", 10);
    producer.add("a", "refused by broker", 1);
    producer.add("b", "refused by broker", 1);
    w1.add("a", "delivered", 5);
    w2.add("b", "delivered", 3);
    w2.add("b", "dead-lettered", 1);
    const { edges, channels } = book.books();
    expect(channels[0]).toMatchObject({ sent: 10, delivered: 8, failed: 2, inFlight: 0 });
    expect(edges.get("a")).toMatchObject({ sent: 10, delivered: 5, failed: 0, inFlight: 0, sharedWith: ["b"] });
    expect(edges.get("b")).toMatchObject({ sent: 10, delivered: 3, failed: 1, sharedWith: ["a"] });
    for (const writer of [producer, w1, w2]) writer.close();
  });

  it("asks the broker about a dead producer's unanswered hand-offs and books those it never took", () => {
    const queue: EdgeRole = { source: "p", target: "w", sync: false, atMostOnce: false, handOffKey: "queue:jobs", channel: "jobs", queue: true };
    const topic: EdgeRole = { source: "p", target: "s", sync: false, atMostOnce: true, handOffKey: "pubsub:news", channel: "news", queue: false };
    const book = bookOf({ q: queue, t: topic });
    const producer = new CountFileWriter(book.attach("p", ["q", "t"]).countsFile, ["q", "t"]);
    const worker = new CountFileWriter(book.attach("w", ["q"]).countsFile, ["q"]);
    const subscriber = new CountFileWriter(book.attach("s", ["t"]).countsFile, ["t"]);
    producer.add("q", "sent", 10);
    producer.add("q", "accepted", 6);
    producer.add("t", "sent", 10);
    producer.add("t", "accepted", 7);
    producer.add("t", "handed", 7);
    producer.close();
    const open = book.retire("p", { died: true });
    expect(open).toEqual([
      expect.objectContaining({ queue: true, channel: "jobs", edgeIds: ["q"], sent: 10, open: 4, accepted: 6 }),
      expect.objectContaining({ queue: false, channel: "news", edgeIds: ["t"], sent: 10, open: 3, atMostOnce: [{ edgeId: "t", handed: 7, noSubscriber: 0 }] }),
    ]);
    // The broker took 1 of the 4 jobs; it counted 9 publishes, one of them while nobody subscribed.
    book.bookHandOffAudit(open[0], { landed: 1 });
    book.bookHandOffAudit(open[1], { landed: 2, published: 9, noSubscriber: new Map([["t", 1]]) });
    worker.add("q", "delivered", 7);
    subscriber.add("t", "delivered", 8);
    const { edges } = book.books();
    expect(edges.get("q")).toMatchObject({ sent: 10, delivered: 7, lost: 3, inFlight: 0, lostBy: [{ outcome: "producer died", count: 3 }] });
    expect(edges.get("t")).toMatchObject({ sent: 10, delivered: 8, lost: 2, inFlight: 0 });
    expect(edges.get("t")!.lostBy).toEqual([
      { outcome: "no subscriber", count: 1 },
      { outcome: "producer died", count: 1 },
    ]);
    worker.close();
    subscriber.close();
  });

  it("never shows an outcome without its send: sent is read after the outcomes", () => {
    const book = bookOf({ e: rest("c", "s") });
    const writer = new CountFileWriter(book.attach("c", ["e"]).countsFile, ["e"]);
    for (let i = 0; i < 200; i++) {
      writer.add("e", "sent");
      const ledger = book.books().edges.get("e")!;
      expect(ledger.inFlight).toBeGreaterThanOrEqual(0);
      writer.add("e", i % 3 === 0 ? "error reply" : "delivered");
    }
    expect(book.books().edges.get("e")).toMatchObject({ sent: 200, inFlight: 0 });
    writer.close();
  });

  it("never lowers a broker-derived count: a Redis that restarted without its data counts from zero, added to what it counted before", () => {
    const queue: EdgeRole = { source: "p", target: "w", sync: false, atMostOnce: false, queue: true, channel: "jobs", handOffKey: "queue:jobs" };
    const durable: EdgeRole = { source: "p", target: "s", sync: false, atMostOnce: false, channel: "news", handOffKey: "pubsub:news" };
    const book = bookOf({ q: queue, d: durable });
    const producer = new CountFileWriter(book.attach("p", ["q", "d"]).countsFile, ["q", "d"]);
    const worker = new CountFileWriter(book.attach("w", ["q"]).countsFile, ["q"]);
    const subscriber = new CountFileWriter(book.attach("s", ["d"]).countsFile, ["d"]);
    producer.add("q", "sent", 20);
    producer.add("d", "sent", 20);
    // The consumers died between finishing and counting: the brokers counted more than they did.
    worker.add("q", "delivered", 3);
    subscriber.add("d", "delivered", 2);
    const durableEnds = (delivered: number) => ({ delivered, "processing failed": 0, overloaded: 0, "cut from stream": 0, "lost by broker": 0 });
    const read = (completed: number, delivered: number) =>
      book.readBrokerEnds({ queues: new Map([["jobs", { completed, failed: 0 }]]), durable: new Map([["d", durableEnds(delivered)]]) });
    read(5, 4);
    expect(book.books().edges.get("q")).toMatchObject({ delivered: 5, inFlight: 15 });
    expect(book.books().edges.get("d")).toMatchObject({ delivered: 4, inFlight: 16 });
    // Redis restarted without its data: its counters start again from zero.
    read(0, 0);
    expect(book.books().edges.get("q")).toMatchObject({ delivered: 5, inFlight: 15 });
    expect(book.books().edges.get("d")).toMatchObject({ delivered: 4, inFlight: 16 });
    // What it counts since adds to what it counted before.
    worker.add("q", "delivered", 2);
    read(2, 1);
    expect(book.books().edges.get("q")).toMatchObject({ delivered: 7, inFlight: 13 });
    expect(book.books().edges.get("d")).toMatchObject({ delivered: 5, inFlight: 15 });
    for (const writer of [producer, worker, subscriber]) writer.close();
  });

  it("says what a queue's broker holds: in flight less what live producers, and dead ones not yet audited, are still handing over", () => {
    const queue: EdgeRole = { source: "p", target: "w", sync: false, atMostOnce: false, handOffKey: "queue:jobs", channel: "jobs", queue: true };
    const book = bookOf({ q: queue });
    const producer = new CountFileWriter(book.attach("p", ["q"]).countsFile, ["q"]);
    const worker = new CountFileWriter(book.attach("w", ["q"]).countsFile, ["q"]);
    producer.add("q", "sent", 10);
    producer.add("q", "accepted", 8);
    worker.add("q", "delivered", 3);
    // 7 in flight, 2 of them still on their way to the broker.
    expect(book.queueHeld("jobs")).toBe(5);
    producer.close();
    const open = book.retire("p", { died: true });
    // Dead, not yet audited: its 2 are still nobody's to count.
    expect(book.queueHeld("jobs")).toBe(5);
    // The broker had both: they are the broker's now.
    book.bookHandOffAudit(open[0], { landed: 2 });
    expect(book.queueHeld("jobs")).toBe(7);
    // Lost with the broker's data: booked, they are no longer in flight.
    book.bookQueueLost("jobs", 7);
    expect(book.queueHeld("jobs")).toBe(0);
    expect(book.books().edges.get("q")).toMatchObject({ sent: 10, delivered: 3, lost: 7, inFlight: 0, lostBy: [{ outcome: "lost by broker", count: 7 }] });
    worker.close();
  });
});
