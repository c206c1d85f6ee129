/**
 * A loopback TCP proxy that shapes the bytes of one REST/Connect edge
 * (Toxiproxy style). It lives in the CALLER's process and is in the path only
 * while a wire fault is in force on the edge: the sender connects to it
 * instead of the target, so the normal path costs nothing.
 *
 * Shapes, read per chunk so a change acts on open connections too:
 * - latency: each chunk towards the target waits latency ± jitter (in order);
 * - bandwidth: each direction is paced to bandwidth_kbps;
 * - blackhole: bytes are read and dropped both ways, so nothing is answered
 *   and the caller's own timeout fires;
 * - reset: a connection that sends a request is reset (TCP RST);
 * - partition: the proxy stops listening on its port, so connecting to it is
 *   refused (ECONNREFUSED), and its open connections are cut.
 */
import net from "node:net";
import { once } from "node:events";
import { delayMs, paceUntil, type Random } from "@/lib/faults/jitter";

export interface WireShape {
  latencyMs: number;
  jitterMs: number;
  /** 0 = unlimited. */
  bandwidthKbps: number;
  blackhole: boolean;
  reset: boolean;
  partition: boolean;
}

const LOOPBACK = "127.0.0.1";
/** Bytes queued in one direction before the source is paused (a slow link must not buffer without bound). */
const MAX_QUEUED_BYTES = 1 << 20;
/** A removed proxy keeps listening (unshaped) this long for connects already on their way. */
const CLOSE_GRACE_MS = 1_000;
/** A removed proxy's connections get this long to finish their requests before they are cut. */
const LINGER_MS = 60_000;

/** One direction of one connection: chunks leave in order, each at its due time. */
class Lane {
  private readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private queuedBytes = 0;
  private busyUntil = 0;
  private lastDue = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly shape: () => WireShape,
    private readonly towardTarget: boolean,
    private readonly random: Random,
    private readonly dropped: () => void,
  ) {}

  push(chunk: Buffer): void {
    const shape = this.shape();
    if (shape.blackhole) return this.dropped();
    const now = performance.now();
    let due = now;
    if (this.towardTarget && shape.latencyMs > 0) due += delayMs(shape.latencyMs, shape.jitterMs, this.random);
    due = Math.max(due, this.lastDue);
    if (shape.bandwidthKbps > 0) {
      due = paceUntil(this.busyUntil, due, chunk.length, shape.bandwidthKbps);
      this.busyUntil = due;
    }
    this.lastDue = due;
    if (due <= now && this.queue.length === 0) {
      this.to.write(chunk);
      return;
    }
    this.queue.push({ chunk, due });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) this.from.pause();
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0].due <= now + 0.5) {
        const { chunk } = this.queue.shift()!;
        this.queuedBytes -= chunk.length;
        if (!this.to.destroyed) this.to.write(chunk);
      }
      if (this.queuedBytes <= MAX_QUEUED_BYTES && this.from.isPaused()) this.from.resume();
      this.schedule();
    }, Math.max(0, this.queue[0].due - performance.now()));
  }
}

export class WireProxy {
  private server: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();
  /** Connections that lost bytes (blackholed): their protocol state is broken for good. */
  private readonly broken = new WeakSet<net.Socket>();
  private currentShape: WireShape;
  port = 0;

  private constructor(
    private readonly upstreamPort: () => number,
    shape: WireShape,
    private readonly random: Random,
  ) {
    this.currentShape = shape;
  }

  /** A proxy towards whatever port `upstreamPort` gives at each new connection (a restarted target moves). */
  static async open(upstreamPort: () => number, shape: WireShape, random: Random = Math.random): Promise<WireProxy> {
    const proxy = new WireProxy(upstreamPort, shape, random);
    await proxy.reshape(shape);
    return proxy;
  }

  get shape(): WireShape {
    return this.currentShape;
  }

  async reshape(shape: WireShape): Promise<void> {
    this.currentShape = shape;
    if (shape.partition) {
      // Refused from now on; what was open is cut, as a partition cuts it.
      await this.stopListening();
      for (const socket of this.connections) socket.destroy();
    } else if (!this.server) {
      await this.listen();
    }
    // A blackhole lifted: connections that lost bytes cannot carry a request again.
    if (!shape.blackhole) for (const socket of this.connections) if (this.broken.has(socket)) socket.destroy();
  }

  /**
   * Out of the path: bytes pass unshaped from now on, so the requests of open
   * connections (and of connects already on their way) finish — a caller may
   * even reuse them later, as the OS can hand the port to the next proxy; those
   * that lost bytes are cut now, the rest after LINGER_MS.
   */
  async close(): Promise<void> {
    this.currentShape = { latencyMs: 0, jitterMs: 0, bandwidthKbps: 0, blackhole: false, reset: false, partition: false };
    // Still listening a moment, unshaped: a caller that took this port just before the change still connects.
    const stop = setTimeout(() => void this.stopListening(), CLOSE_GRACE_MS);
    stop.unref();
    for (const socket of this.connections) if (this.broken.has(socket)) socket.destroy();
    const cut = setTimeout(() => {
      for (const socket of this.connections) socket.destroy();
    }, LINGER_MS);
    cut.unref();
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    server.on("error", () => undefined);
    // The same port again after a partition when it is free, so a caller's idea of the path stays put.
    try {
      server.listen(this.port, LOOPBACK);
      await once(server, "listening");
    } catch {
      server.listen(0, LOOPBACK);
      await once(server, "listening");
    }
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // close() stops listening at once; its callback would wait for every open connection to end.
    server.close();
    await new Promise((resolve) => setImmediate(resolve));
  }

  private accept(client: net.Socket): void {
    client.setNoDelay(true);
    this.connections.add(client);
    const upstream = net.connect({ host: LOOPBACK, port: this.upstreamPort() });
    upstream.setNoDelay(true);
    const shape = () => this.currentShape;
    const dropped = () => this.broken.add(client);
    const out = new Lane(client, upstream, shape, true, this.random, dropped);
    const back = new Lane(upstream, client, shape, false, this.random, dropped);
    const end = () => {
      out.stop();
      back.stop();
      this.connections.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      if (this.currentShape.reset) {
        // A TCP RST to the caller, as a middlebox that resets connections does.
        out.stop();
        back.stop();
        this.connections.delete(client);
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      out.push(chunk);
    });
    upstream.on("data", (chunk: Buffer) => back.push(chunk));
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", end);
    upstream.on("error", end);
  }
}
