/**
 * The pure parts of dead letters and redrive (no processes, no Redis): how a
 * BullMQ job reads as a dead letter, which edges have dead letters, the list
 * limit, and how the books take a redrive — as a send, so the job's second end
 * (its consumer's count or the broker's, max-merged) keeps them adding up.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { CountFileWriter } from "@/server/ipc/count-file";
import { CounterBook, type ChannelGroup, type EdgeRole } from "@/server/trace/counter-book";
import { formatTraceparent } from "@/server/trace/trace-context";
import { deadLetterLimit, deadLetterOf, failureReasonOf, queueEdgeOf } from "./dead-letters";
import { queueEdge, restEdge, topologyOf } from "./transport-harness";

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const traceparent = formatTraceparent({ traceId, parentSpanId: "00f067aa0ba902b7", sampled: true });

describe("a job as a dead letter", () => {
  it("reads the trace, the reason without its failure time, the attempts, the time and the payload size", () => {
    const letter = deadLetterOf(
      {
        id: "i3-7",
        data: { traceparent, hop: 1, edgeIds: ["a-b"], source: "a", payload: "héllo", sentAtUnixMs: 1 },
        failedReason: "downstream b-c failed: connect ECONNREFUSED @1764567890123",
        attemptsMade: 3,
        finishedOn: 1_764_567_890_200,
      },
      "a-b",
      ["a-b"],
    );
    expect(letter).toEqual({
      jobId: "i3-7",
      traceId,
      failedReason: "downstream b-c failed: connect ECONNREFUSED",
      attempts: 3,
      failedUnixMs: 1_764_567_890_200,
      payloadBytes: 6,
      edgeId: "a-b",
    });
  });

  it("names the producer's edge on the channel; without one, the asked edge", () => {
    const job = { id: "1", data: { edgeIds: ["p-log", "p-w2"], payload: "" }, attemptsMade: 1 };
    expect(deadLetterOf(job, "p-w1", ["p-w1", "p-w2"]).edgeId).toBe("p-w2");
    expect(deadLetterOf({ ...job, data: undefined }, "p-w1", ["p-w1", "p-w2"])).toMatchObject({ edgeId: "p-w1", traceId: "", payloadBytes: 0, failedUnixMs: 0 });
  });

  it("keeps a reason that carries no failure time as it is", () => {
    expect(failureReasonOf("error rate")).toBe("error rate");
    expect(failureReasonOf("error rate @12")).toBe("error rate");
    expect(failureReasonOf(undefined)).toBe("");
  });

  it("lists 50 by default and at most 200", () => {
    expect(deadLetterLimit(0)).toBe(50);
    expect(deadLetterLimit(undefined)).toBe(50);
    expect(deadLetterLimit(7)).toBe(7);
    expect(deadLetterLimit(5_000)).toBe(200);
  });

  it("has dead letters only on queue edges, and knows the edges of the queue's channel", () => {
    const topology = topologyOf(
      [{ id: "w1" }, { id: "w2" }, { id: "r" }],
      [queueEdge("c-w1", "client", "w1", "jobs"), queueEdge("c-w2", "client", "w2", "jobs"), restEdge("c-r", "client", "r")],
    );
    expect(queueEdgeOf(topology, "r-1", "c-w2")).toMatchObject({ channel: "jobs", channelEdgeIds: ["c-w1", "c-w2"] });
    expect(queueEdgeOf(topology, "r-1", "c-w2").edge.transport).toBe(Transport.QUEUE);
    expect(() => queueEdgeOf(topology, "r-1", "nope")).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(() => queueEdgeOf(topology, "r-1", "c-r")).toThrow(expect.objectContaining({ code: "invalid_argument", message: expect.stringContaining("c-r") }));
    expect(() => queueEdgeOf(topology, "r-1", "")).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });
});

describe("the books of a redrive", () => {
  const books: CounterBook[] = [];
  afterEach(() => {
    for (const book of books.splice(0)) book.close();
  });
  function bookOf(roles: Record<string, EdgeRole>, groups: ChannelGroup[] = []): CounterBook {
    const book = new CounterBook(`test-${process.pid}-${Math.random().toString(36).slice(2)}`, new Map(Object.entries(roles)), groups);
    books.push(book);
    return book;
  }
  const queue = (source: string, target: string): EdgeRole => ({
    source,
    target,
    sync: false,
    atMostOnce: false,
    handOffKey: "queue:jobs",
    channel: "jobs",
    queue: true,
  });

  it("counts a redriven dead letter as a send, so its second end adds up, whether the consumer or the broker counted it", () => {
    const book = bookOf({ q: queue("p", "w") });
    const producer = new CountFileWriter(book.attach("p", ["q"]).countsFile, ["q"]);
    const worker = new CountFileWriter(book.attach("w", ["q"]).countsFile, ["q"]);
    producer.add("q", "sent", 5);
    producer.add("q", "accepted", 5);
    worker.add("q", "dead-lettered", 5);
    expect(book.books().edges.get("q")).toMatchObject({ sent: 5, failed: 5, inFlight: 0, redriven: 0 });

    // Three go back: booked before they can run, they are in flight.
    book.bookRedrive("q", 3);
    expect(book.books().edges.get("q")).toMatchObject({ sent: 8, failed: 5, inFlight: 3, redriven: 3 });
    // One the broker refused (no longer a dead letter) is taken back.
    book.bookRedrive("q", -1);
    expect(book.books().edges.get("q")).toMatchObject({ sent: 7, inFlight: 2, redriven: 2 });
    // The broker counted one completed and one failed again before the consumer's counts came (max-merged).
    book.readBrokerEnds({ queues: new Map([["jobs", { completed: 1, failed: 6 }]]), durable: new Map() });
    expect(book.books().edges.get("q")).toMatchObject({ sent: 7, delivered: 1, failed: 6, inFlight: 0 });
    worker.add("q", "delivered", 1);
    worker.add("q", "dead-lettered", 1);
    expect(book.books().edges.get("q")).toMatchObject({ sent: 7, delivered: 1, failed: 6, inFlight: 0, redriven: 2 });
    // Never below zero.
    book.bookRedrive("q", -10);
    expect(book.books().edges.get("q")).toMatchObject({ redriven: 0 });
    producer.close();
    worker.close();
  });

  it("on a shared channel, books a redrive once for the channel, whichever edge asked", () => {
    const group: ChannelGroup = { channel: "jobs", edgeIds: ["a", "b"], senderEdgeIds: ["a"] };
    const book = bookOf({ a: queue("p", "w1"), b: queue("p", "w2") }, [group]);
    const producer = new CountFileWriter(book.attach("p", ["a", "b"]).countsFile, ["a", "b"]);
    const w1 = new CountFileWriter(book.attach("w1", ["a"]).countsFile, ["a"]);
    const w2 = new CountFileWriter(book.attach("w2", ["b"]).countsFile, ["b"]);
    producer.add("a", "sent", 4);
    producer.add("b", "sent", 4);
    w1.add("a", "dead-lettered", 1);
    w2.add("b", "dead-lettered", 3);
    book.bookRedrive("b", 4);
    let { edges, channels } = book.books();
    expect(channels[0]).toMatchObject({ sent: 8, failed: 4, inFlight: 4, redriven: 4 });
    expect(edges.get("a")).toMatchObject({ sent: 8, redriven: 4 });
    expect(edges.get("b")).toMatchObject({ sent: 8, redriven: 4 });
    // Second ends, by whichever consumer took each job, and the broker's count of them.
    w1.add("a", "dead-lettered", 2);
    w2.add("b", "delivered", 1);
    book.readBrokerEnds({ queues: new Map([["jobs", { completed: 1, failed: 7 }]]), durable: new Map() });
    ({ edges, channels } = book.books());
    expect(channels[0]).toMatchObject({ sent: 8, delivered: 1, failed: 7, inFlight: 0 });
    for (const writer of [producer, w1, w2]) writer.close();
  });
});
