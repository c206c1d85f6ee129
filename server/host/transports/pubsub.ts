/**
 * PUBSUB edges: a topic named by the edge's channel; every subscriber of the
 * topic gets each message. Delivery belongs to each subscriber edge:
 *
 * - AT_MOST_ONCE: Redis Pub/Sub on `keys.pubsubChannel(topic)`. A subscriber
 *   that is not connected when a message is published never gets it.
 * - DURABLE: Redis Streams on `keys.stream(topic)`, one consumer group per
 *   subscriber node (`keys.consumerGroup(nodeId)`, consumer name = node id).
 *   The subscriber reads its own pending entries first (id 0) — what it had
 *   read but not acknowledged when it died — then new ones (`>`) with
 *   `XREADGROUP … BLOCK`, and XACKs each entry after the service worked on it
 *   (whatever the service's outcome: the message was processed). Groups are
 *   created with MKSTREAM at id 0 by the publisher before its first XADD and by
 *   the subscriber when it starts, so a subscriber gets everything published
 *   to the topic since the run began, even before it first connected.
 *
 * Publishing: edges of one node on one topic are one group (channel-groups.ts)
 * and are published to ONCE: PUBLISH when any of them is AT_MOST_ONCE, XADD
 * (MAXLEN ~ STREAM_MAXLEN) when any is DURABLE, in one script with the loss
 * check and the broker's own counts (PUBLISH_LUA).
 *
 * Losses, from the broker, per edge: each AT_MOST_ONCE subscriber also
 * subscribes (in the same SUBSCRIBE command, after the topic) to a presence
 * channel per inbound edge, `<topic channel>:presence:<edgeId>`. The
 * publisher's script runs PUBLISH and `PUBSUB NUMSUB <presence of each
 * AT_MOST_ONCE edge>` atomically; an edge whose presence has no subscriber did
 * not get that message: it is lost, "no subscriber" (and in `ipcplay.lost_edges`
 * on the PRODUCER span); on the others it was "handed" to the subscriber,
 * which counts its end — or, when it dies holding it, the server books it
 * "subscriber died". PUBLISH's receipt count is the span's `ipcplay.receivers`.
 * A subscriber counts only messages published along one of its own edges; a
 * topic also brings it what publishers without an edge to it publish.
 *
 * Faults at a subscriber edge (server/host/faults): DISCONNECT/PARTITION cut
 * it from the broker — AT_MOST_ONCE: its presence (and, when no other edge of
 * this node needs it, its topic) is unsubscribed, so what is published
 * meanwhile is booked "no subscriber" by the publisher's script; DURABLE: its
 * stream is not read, entries wait in its group and drain after. LATENCY holds
 * each message before the service starts on it (outside the service's slots;
 * a DURABLE read window still counts it), SLOW_CONSUMER adds work time, ERRORS
 * fails a share of messages at the subscriber ("processing failed"), DUPLICATE
 * processes a share of them a second time, counted as `duplicates`.
 *
 * Connections per process: one shared publisher connection (all topics), one
 * subscriber connection for the AT_MOST_ONCE topics, and for DURABLE topics
 * one blocking reader plus one for XGROUP/XACK.
 */
import { Redis } from "ioredis";
import { SpanKind, SpanStatus } from "@/lib/gen/ipcplay/v1/playground_pb";
import { sleep } from "../faults/host-faults";
import { FaultKind, Delivery, Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";
import { DEFAULTS } from "@/lib/topology/limits";
import { parseTraceparent } from "@/server/trace/trace-context";
import { brokerRetryStrategy, channelOf, edgesByChannel, envelopeOf, type ChannelEnvelope, inboundEdgeFor, outgoingGroupOf, redisOptionsFromUrl } from "./channel-groups";
import { WireTime } from "./wire-time";
import { nowUnixMs } from "../clock";
import type { Listener, OutboundMessage, SendOutcome, Sender, TransportHost, TransportPlugin } from "./transport";

/**
 * Approximate cap of a topic's stream (`XADD … MAXLEN ~`): 10,000 entries are
 * 50 s of a client at 200 msg/s and many minutes at usual
 * rates, while bounding memory (≈ 1 MB with default payloads). A DURABLE
 * subscriber that falls further behind than this loses the oldest entries.
 */
export const STREAM_MAXLEN = 10_000;
/** How long one XREADGROUP waits for new entries before asking again. */
const BLOCK_MS = 1_000;
/** How often a subscriber whose every stream is cut looks whether one is back. */
const CUT_POLL_MS = 50;
/**
 * Reconnections a publish (or an acknowledgement) waits through while Redis is away before it fails:
 * about 5.5 s with brokerRetryStrategy, so a quick restart refuses nothing and a longer outage is
 * booked "refused by broker" instead of piling up.
 */
const COMMAND_RETRIES = 10;
/** Pause after a failed read before the next one (Redis restarting, …). */
const READ_RETRY_MS = 250;

export const pubsubTransport: TransportPlugin = {
  transport: Transport.PUBSUB,
  listen: listenPubSub,
  createSender: createPubSubSender,
};

function deliveryOf(edge: Edge): Delivery {
  const delivery = edge.settings.case === "pubsub" ? edge.settings.value.delivery : Delivery.UNSPECIFIED;
  return delivery === Delivery.DURABLE ? Delivery.DURABLE : Delivery.AT_MOST_ONCE;
}

function deliveryName(delivery: Delivery): string {
  return delivery === Delivery.DURABLE ? "DURABLE" : "AT_MOST_ONCE";
}

/** The presence channel of one AT_MOST_ONCE subscriber edge. */
export function presenceChannel(host: TransportHost, topic: string, edgeId: string): string {
  return `${host.keys.pubsubChannel(topic)}:presence:${edgeId}`;
}

function connect(host: TransportHost, name: string, options: { blocking?: boolean } = {}): Redis {
  // Not ioredis's enableAutoPipelining: under a Redis stall (CLIENT PAUSE) its callback read a missing result
  // and threw, killing the publisher (found by server/runtime/conservation.test.ts).
  const redis = new Redis({
    ...redisOptionsFromUrl(host.setup.redisUrl),
    connectionName: `ipcplay:${host.nodeId}:${name}`,
    retryStrategy: brokerRetryStrategy,
    maxRetriesPerRequest: options.blocking ? null : COMMAND_RETRIES,
  });
  // Once per outage, not at every reconnection attempt (the server names the outage itself: redis-watch.ts).
  let failing = false;
  redis.on("error", (error: Error) => {
    if (failing) return;
    failing = true;
    host.log("warn", `redis (${name}): ${error.message}; reconnecting`);
  });
  redis.on("ready", () => {
    if (!failing) return;
    failing = false;
    host.log("info", `redis (${name}): connected again`);
  });
  return redis;
}

/** A reply saying the stream or its consumer group is not there (any more). */
function isNoGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOGROUP");
}

/** XGROUP CREATE … 0 MKSTREAM; an existing group is fine. */
async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
  } catch (error) {
    if (!(error as Error).message.includes("BUSYGROUP")) throw error;
  }
}

/**
 * OpenTelemetry messaging attributes: a publish is operation type "send", a subscriber's work
 * "process". Every subscribing node gets its own copy: it is its own consumer group (for DURABLE
 * delivery, the stream's consumer group of that node).
 */
function messagingAttributes(topic: string, operation: "publish" | "process", delivery: string, consumerGroup?: string): Record<string, string> {
  const attributes: Record<string, string> = {
    "messaging.system": "redis",
    "messaging.destination.name": topic,
    "messaging.operation.name": operation,
    "messaging.operation.type": operation === "publish" ? "send" : "process",
    "ipcplay.delivery": delivery,
  };
  if (consumerGroup !== undefined) attributes["messaging.consumer.group.name"] = consumerGroup;
  return attributes;
}

// ---- publisher -------------------------------------------------------------

/**
 * One publish, atomic in Redis: PUBLISH to the AT_MOST_ONCE channel and, for
 * each AT_MOST_ONCE edge, whether its presence channel had a subscriber (if
 * not, INCR that edge's no-subscriber count); XADD to the DURABLE stream; SET
 * the group's newest publish — its number and how many of this process's
 * publishes the broker refused before it, so the broker ran `number − refused`
 * of them. These make a publisher that died before it read the reply
 * accountable (server/runtime/hand-off-audit.ts).
 *
 * The script does as few calls as it can: a subscriber gets the message only
 * once the whole script has run, so every call here is in the hop's latency
 * (`npm run bench`). The newest publish is SET without reading it first: a
 * process publishes on one connection, so its publishes run in their order and
 * the last one SET is the highest number.
 *
 * KEYS: no-subscriber count per AT_MOST_ONCE edge, stream, newest publish.
 * ARGV: channel ("" = none), message, n = AT_MOST_ONCE edges, n presence
 * channels, stream MAXLEN ("" = no DURABLE edge), publish number, refused so far.
 * Returns { receivers, [1-based indexes of edges without a subscriber], stream id }.
 */
const PUBLISH_LUA = `
local n = tonumber(ARGV[3])
local receivers = 0
local missing = {}
if ARGV[1] ~= "" then
  receivers = redis.call("PUBLISH", ARGV[1], ARGV[2])
  for i = 1, n do
    local reply = redis.call("PUBSUB", "NUMSUB", ARGV[3 + i])
    if tonumber(reply[2]) == 0 then
      missing[#missing + 1] = i
      redis.call("INCR", KEYS[i])
    end
  end
end
local id = ""
if ARGV[4 + n] ~= "" then
  id = redis.call("XADD", KEYS[n + 1], "MAXLEN", "~", ARGV[4 + n], "*", "m", ARGV[2])
end
redis.call("SET", KEYS[n + 2], ARGV[5 + n] .. ":" .. ARGV[6 + n])
return { receivers, missing, id }
`;

/** A script called with its number of keys, then its keys and arguments. */
type ScriptCommand<R> = (numberOfKeys: number, ...keysAndArgs: Array<string | number>) => Promise<R>;

/** A Lua script as a command of the connection (ioredis sends it once, then EVALSHA). */
function scriptOn<R>(redis: Redis, name: string, lua: string): ScriptCommand<R> {
  const commands = redis as unknown as Record<string, ScriptCommand<R> | undefined>;
  if (!commands[name]) redis.defineCommand(name, { lua });
  return commands[name]!.bind(redis);
}

const publishScript = (redis: Redis) => scriptOn<[number, number[], string]>(redis, "ipcplayPublish", PUBLISH_LUA);

/** One publisher connection per process, shared by every sender. */
let publisher: { redis: Redis; users: number } | undefined;

function acquirePublisher(host: TransportHost): Redis {
  publisher ??= { redis: connect(host, "publish"), users: 0 };
  publisher.users++;
  return publisher.redis;
}

async function releasePublisher(): Promise<void> {
  if (!publisher || --publisher.users > 0) return;
  const { redis } = publisher;
  publisher = undefined;
  await redis.quit().catch(() => redis.disconnect());
}

function createPubSubSender(edge: Edge, host: TransportHost): Sender {
  const topic = channelOf(edge)!;
  const group = outgoingGroupOf(edge, host.setup.outgoing);
  const edgeIds = group.map((member) => member.id);
  const atMostOnce = group.filter((member) => deliveryOf(member) === Delivery.AT_MOST_ONCE);
  const durable = group.filter((member) => deliveryOf(member) === Delivery.DURABLE);
  const channel = host.keys.pubsubChannel(topic);
  const stream = host.keys.stream(topic);
  const presence = atMostOnce.map((member) => presenceChannel(host, topic, member.id));
  const delivery = [atMostOnce.length ? "AT_MOST_ONCE" : "", durable.length ? "DURABLE" : ""].filter(Boolean).join("+");
  let redis: Redis | undefined;
  let groupsReady: Promise<void> | undefined;
  const open = () => (redis ??= acquirePublisher(host));
  // Noted by the broker in the publish itself: what a dead publisher's last publishes did is asked of Redis.
  const publishedTopKey = host.keys.publishedTop(host.setup.incarnation, edgeIds[0]);
  const noSubscriberKeys = atMostOnce.map((member) => host.keys.noSubscriber(host.setup.incarnation, member.id));
  /** This process's publishes on the topic so far. */
  let seq = 0;
  /**
   * Of those, how many the broker refused (Redis down): each envelope carries the count, so a DURABLE
   * subscriber does not take a refused publish's number for an entry the stream lost (CUT_LUA).
   */
  let refused = 0;

  async function send(message: OutboundMessage): Promise<SendOutcome> {
    const attributes = messagingAttributes(topic, "publish", delivery);
    // JSON in the Pub/Sub message and in the stream entry's `m` field.
    const mySeq = ++seq;
    // Refused before this publish was numbered: the envelope and the broker's note take the same count.
    const refusedBefore = refused;
    const json = JSON.stringify({ ...envelopeOf(message, edgeIds, host.nodeId), from: host.setup.incarnation, seq: mySeq, refused: refusedBefore });
    const wire = new WireTime();
    try {
      const connection = open();
      if (durable.length > 0) {
        groupsReady ??= Promise.all(durable.map((member) => ensureGroup(connection, stream, host.keys.consumerGroup(member.target)))).then(() => {});
        await groupsReady.catch((error: Error) => {
          groupsReady = undefined;
          throw error;
        });
      }
      const publish = publishScript(connection);
      const [receivers, missing, streamId] = await wire.around(() =>
        publish(
          atMostOnce.length + 2,
          ...noSubscriberKeys,
          stream,
          publishedTopKey,
          atMostOnce.length > 0 ? channel : "",
          json,
          atMostOnce.length,
          ...presence,
          durable.length > 0 ? STREAM_MAXLEN : "",
          mySeq,
          refusedBefore,
        ),
      );

      for (const edgeId of edgeIds) host.count(edgeId, "accepted");
      const outcome: Record<string, string> = { ...attributes };
      if (atMostOnce.length > 0) {
        outcome["ipcplay.receivers"] = String(receivers);
        const lost = new Set(missing.map((index) => atMostOnce[Number(index) - 1]));
        // From here the subscriber holds the message (or nobody does): the books know whom to ask if it dies.
        for (const member of atMostOnce) host.count(member.id, lost.has(member) ? "no subscriber" : "handed");
        if (lost.size > 0) outcome["ipcplay.lost_edges"] = [...lost].map((member) => member.id).join(",");
      }
      if (durable.length > 0) outcome["messaging.message.id"] = String(streamId);
      return { status: SpanStatus.OK, statusMessage: "", attempts: 1, wire: wire.bounds, attributes: outcome };
    } catch (error) {
      refused++;
      // The broker may have lost the stream and its groups meanwhile (a restart): make them again at the next publish.
      groupsReady = undefined;
      return { status: SpanStatus.UNAVAILABLE, statusMessage: `could not publish: ${(error as Error).message}`, attempts: 1, wire: wire.bounds, attributes, outcome: "refused by broker" };
    }
  }

  return {
    spanName: `publish ${topic}`,
    spanKind: SpanKind.PRODUCER,
    send,
    async gauges() {
      const connection = open();
      const [numsub, groups] = await Promise.all([
        connection.pubsub("NUMSUB", channel) as Promise<Array<string | number>>,
        connection.xinfo("GROUPS", stream).then(
          (reply) => reply as unknown[][],
          () => [] as unknown[][], // no stream yet: no durable subscriber has started
        ),
      ]);
      // A DURABLE edge's entries not yet read by its subscriber's group wait in the broker (XINFO GROUPS `lag`).
      const ownGroup = deliveryOf(edge) === Delivery.DURABLE ? groups.find((fields) => fieldOf(fields, "name") === host.keys.consumerGroup(edge.target)) : undefined;
      const lag = ownGroup ? Number(fieldOf(ownGroup, "lag") ?? 0) : undefined;
      return { subscribers: Number(numsub[1]) + groups.length, ...(lag !== undefined ? { streamLag: lag } : {}) };
    },
    close: async () => {
      if (redis) await releasePublisher();
      redis = undefined;
    },
  };
}

// ---- subscriber ------------------------------------------------------------

/**
 * A DURABLE entry's XACK and its count, atomic: a subscriber killed after Redis
 * acknowledged the entry (its XACK may even run after the death, from Redis's
 * buffer) cannot leave the entry ended but uncounted.
 * KEYS: stream, the edge's ended hash. ARGV: group, entry id, outcome ("" = not on an edge).
 * Returns 1 (acknowledged), 0 (it was already), or -1: the entry is not in the
 * stream any more, nor pending in the group — the broker lost it (a restart
 * without persistence, a flush; whoever made the group again), which XACK
 * alone answers with 0.
 */
const ACK_LUA = `
local acked = redis.call("XACK", KEYS[1], ARGV[1], ARGV[2])
if acked == 1 and ARGV[3] ~= "" then
  redis.call("HINCRBY", KEYS[2], ARGV[3], 1)
end
if acked == 0 and #redis.call("XRANGE", KEYS[1], ARGV[2], ARGV[2]) == 0 then
  return -1
end
return acked
`;

/**
 * Entries a DURABLE stream lost before this subscriber's group read them: per
 * (edge, publishing process), the highest number read so far is kept in
 * Redis (field `<process>`, with the publisher's count of refused publishes
 * at that number in `<process>:refused`); numbers a batch skips past it that
 * the publisher did not see refused were in the stream and went unread (the
 * stream keeps a publisher's entries in its order): lost, "cut from stream"
 * (the stream's cap trimmed them). The subscriber also passes what it read
 * itself: when Redis holds less, Redis lost its data (a restart without
 * persistence, a flush) and the numbers skipped past the subscriber's own are
 * lost with it, "lost by broker". Counted in the edge's ended hash. Lower
 * numbers are pending entries read again after a restart.
 * KEYS: per group, the edge's seen hash and ended hash. ARGV: per group, the
 * publishing process, the refused count of its highest number, the highest
 * number the subscriber read itself and its refused count, k, then k numbers.
 * Returns per group the count lost and 1 when it was the broker's loss.
 */
export const CUT_LUA = `
local argi = 1
local cuts = {}
for i = 1, #KEYS / 2 do
  local field = ARGV[argi]
  local refused = tonumber(ARGV[argi + 1])
  local ownTop = tonumber(ARGV[argi + 2])
  local ownRefused = tonumber(ARGV[argi + 3])
  local k = tonumber(ARGV[argi + 4])
  argi = argi + 5
  local last = tonumber(redis.call("HGET", KEYS[2 * i - 1], field) or "0")
  local lastRefused = tonumber(redis.call("HGET", KEYS[2 * i - 1], field .. ":refused") or "0")
  local outcome = "cut from stream"
  local brokerLost = 0
  if ownTop > last then
    last = ownTop
    lastRefused = ownRefused
    outcome = "lost by broker"
    brokerLost = 1
  end
  local top = last
  local fresh = 0
  for j = 0, k - 1 do
    local seq = tonumber(ARGV[argi + j])
    if seq > last then
      fresh = fresh + 1
      if seq > top then top = seq end
    end
  end
  argi = argi + k
  local cut = 0
  if top > last then
    redis.call("HSET", KEYS[2 * i - 1], field, top)
    if refused > lastRefused then
      redis.call("HSET", KEYS[2 * i - 1], field .. ":refused", refused)
    else
      refused = lastRefused
    end
    cut = (top - last) - fresh - (refused - lastRefused)
    if cut < 0 then cut = 0 end
    if cut > 0 then redis.call("HINCRBY", KEYS[2 * i], outcome, cut) end
  end
  cuts[2 * i - 1] = cut
  cuts[2 * i] = brokerLost
end
return cuts
`;

const cutScript = (redis: Redis) => scriptOn<number[]>(redis, "ipcplayCut", CUT_LUA);

/** A field of an XINFO reply (a flat [name, value, …] list). */
function fieldOf(fields: unknown[], name: string): unknown {
  const index = fields.indexOf(name);
  return index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
}

function parseEnvelope(json: string): ChannelEnvelope | undefined {
  try {
    return JSON.parse(json) as ChannelEnvelope;
  } catch {
    return undefined;
  }
}

const ackScript = (redis: Redis) => scriptOn<number>(redis, "ipcplayAck", ACK_LUA);

async function listenPubSub(inbound: Edge[], host: TransportHost): Promise<Listener> {
  const topics = [...edgesByChannel(inbound)];
  const atMostOnce = topics.filter(([, edges]) => deliveryOf(edges[0]) === Delivery.AT_MOST_ONCE);
  const durable = topics.filter(([, edges]) => deliveryOf(edges[0]) === Delivery.DURABLE);
  const closers: Array<() => Promise<void>> = [];
  if (atMostOnce.length > 0) closers.push(await subscribeAtMostOnce(new Map(atMostOnce), host));
  if (durable.length > 0) closers.push(await readDurable(new Map(durable), host));
  return {
    ports: {},
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}

/** How a message on a subscriber edge ended; undefined when it was not on one of this node's edges. */
type SubscriberEnd = { edgeId: string; end: "delivered" | "overloaded" | "processing failed" | "cut from stream" | "lost by broker" } | undefined;

/**
 * Runs the service on one message of `topic`; never rejects. Resolves with how
 * it ended, for the caller to count: AT_MOST_ONCE at once, DURABLE with the
 * XACK (ACK_LUA).
 */
async function deliver(
  host: TransportHost,
  topic: string,
  edges: Edge[],
  json: string,
  delivery: Delivery,
  id?: string,
  /** AT_MOST_ONCE edges cut from the broker: a message published along one of them only was missed, not received. */
  cut: ReadonlySet<string> = new Set(),
  /** When the library handed the message over (InboundMessage.arrivedUnixMs). */
  arrivedUnixMs: number = nowUnixMs(),
): Promise<SubscriberEnd> {
  const nothing = undefined;
  let message: ChannelEnvelope;
  try {
    message = JSON.parse(json) as ChannelEnvelope;
  } catch {
    host.log("warn", `ignored a message on topic ${topic} that is not ours: ${json.slice(0, 80)}`);
    return nothing;
  }
  // Only a message its publisher sent along one of this node's edges is on an edge's books: a topic also brings
  // what publishers without an edge to this node publish (the node still works on those).
  const named = new Set(message.edgeIds ?? []);
  const edge = edges.find((candidate) => named.has(candidate.id) && !cut.has(candidate.id));
  if (!edge && edges.some((candidate) => named.has(candidate.id))) return nothing;
  const faults = host.faults;
  try {
    // A LATENCY fault on the edge: the message reaches the service that much later (no slot is held meanwhile).
    const delayMs = edge ? faults.delayOf(faults.edge(edge.id, FaultKind.LATENCY)) : 0;
    if (delayMs > 0) {
      await sleep(delayMs);
      arrivedUnixMs = nowUnixMs();
    }
    const poison = edge !== undefined && faults.picks(faults.edge(edge.id, FaultKind.ERRORS));
    const slowMs = edge ? faults.delayOf(faults.edge(edge.id, FaultKind.SLOW_CONSUMER)) : 0;
    const inbound = {
      edge: edge ?? inboundEdgeFor(edges, message),
      parent: parseTraceparent(message.traceparent),
      hop: message.hop,
      payload: message.payload,
      spanKind: SpanKind.CONSUMER,
      spanName: `process ${topic}`,
      attributes: {
        ...messagingAttributes(topic, "process", deliveryName(delivery), host.keys.consumerGroup(host.nodeId)),
        ...(id ? { "messaging.message.id": id } : {}),
      },
      // Producer and consumer share the machine's clock: publish → this consumer starting on it.
      ...(typeof message.sentAtUnixMs === "number" ? { waitMs: Math.max(0, Date.now() - message.sentAtUnixMs) } : {}),
      ...(poison || slowMs > 0 ? { fault: poison ? { abort: "errors" } : { slowMs } } : {}),
      arrivedUnixMs,
    };
    const handled = await host.receive(inbound);
    if (!edge) return nothing;
    if (handled.failure === undefined && faults.picks(faults.edge(edge.id, FaultKind.DUPLICATE))) {
      // Delivered again: processed a second time, counted apart (never a second delivery).
      host.count(edge.id, "duplicates");
      const { waitMs: _wait, arrivedUnixMs: _arrived, ...again } = inbound;
      await host.receive({ ...again, attributes: { ...again.attributes, "ipcplay.fault": "duplicate" } });
    }
    return { edgeId: edge.id, end: handled.failure === undefined ? "delivered" : handled.failure === "overloaded" ? "overloaded" : "processing failed" };
  } catch (error) {
    host.log("error", `topic ${topic}: ${(error as Error).message}`);
    return nothing;
  }
}

async function subscribeAtMostOnce(topics: Map<string, Edge[]>, host: TransportHost): Promise<() => Promise<void>> {
  const subscriber = connect(host, "subscribe");
  const topicOfChannel = new Map([...topics.keys()].map((topic) => [host.keys.pubsubChannel(topic), topic]));
  const inFlight = new Set<Promise<void>>();
  /** Edges cut from the broker (DISCONNECT/PARTITION): their messages, if the topic still brings them, are not theirs. */
  const cut = new Set<string>();
  subscriber.on("message", (channel: string, json: string) => {
    const arrivedUnixMs = nowUnixMs();
    const topic = topicOfChannel.get(channel);
    if (topic === undefined) return; // a presence channel: nothing is published there
    const edges = topics.get(topic)!;
    const delivery = deliver(host, topic, edges, json, Delivery.AT_MOST_ONCE, undefined, cut, arrivedUnixMs).then((ended) => {
      if (ended) host.count(ended.edgeId, ended.end);
    });
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  });
  // Topics first, then presence, in ONE command: once a presence shows, its topic is subscribed.
  const presence = [...topics].flatMap(([topic, edges]) => edges.map((edge) => presenceChannel(host, topic, edge.id)));
  await subscriber.subscribe(...topicOfChannel.keys(), ...presence);

  host.faults.onChange(async (faults) => {
    for (const [topic, edges] of topics) {
      const channel = host.keys.pubsubChannel(topic);
      const cutting = edges.filter((edge) => faults.consumerCut(edge.id) && !cut.has(edge.id));
      const joining = edges.filter((edge) => !faults.consumerCut(edge.id) && cut.has(edge.id));
      const stillCut = edges.filter((edge) => faults.consumerCut(edge.id));
      if (cutting.length > 0) {
        // The topic goes too once no edge of this node is left on it. Marked cut only once Redis answered:
        // what arrives before was published while the edge was there (the publisher booked it handed).
        const channels = cutting.map((edge) => presenceChannel(host, topic, edge.id));
        if (stillCut.length === edges.length) channels.unshift(channel);
        await subscriber.unsubscribe(...channels);
        for (const edge of cutting) cut.add(edge.id);
      }
      if (joining.length > 0) {
        // Topic then presence in one command, as at the start; taken again only once Redis answered:
        // what arrives before was published while the edge was away (the publisher booked it lost).
        await subscriber.subscribe(channel, ...joining.map((edge) => presenceChannel(host, topic, edge.id)));
        for (const edge of joining) cut.delete(edge.id);
      }
    }
  });
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
    await Promise.all(inFlight);
  };
}

async function readDurable(topics: Map<string, Edge[]>, host: TransportHost): Promise<() => Promise<void>> {
  const concurrency = host.setup.concurrency;
  const group = host.keys.consumerGroup(host.nodeId);
  const consumer = host.nodeId;
  const commands = connect(host, "streams");
  const reader = connect(host, "streams-read", { blocking: true });
  const streams = [...topics.keys()].map((topic) => ({ topic, key: host.keys.stream(topic), edges: topics.get(topic)! }));
  await Promise.all(streams.map(({ key }) => ensureGroup(commands, key, group)));
  const edgeIds = streams.flatMap((stream) => stream.edges.map((edge) => edge.id));
  /**
   * What this subscriber read, as the edges' seen hashes hold it (CUT_LUA): when the broker loses them with
   * the stream (a restart without persistence, a flush), the next numbers read are compared with these.
   */
  const seen = new Map<string, Map<string, { top: number; refused: number }>>();
  for (const edgeId of edgeIds) {
    const hash = await commands.hgetall(host.keys.streamSeen(edgeId));
    const fields = new Map<string, { top: number; refused: number }>();
    for (const [field, value] of Object.entries(hash)) {
      if (field.endsWith(":refused")) continue;
      fields.set(field, { top: Number(value), refused: Number(hash[`${field}:refused`] ?? 0) });
    }
    seen.set(edgeId, fields);
  }
  /** How many times the group had to be made again because the broker had lost it (a Redis restart or flush). */
  let brokerLosses = 0;
  let closed = false;
  // A cut (DISCONNECT/PARTITION) acts at once: the blocked read over every stream returns, the next one leaves the cut streams out.
  const readerId = (await reader.client("ID")) as number;
  let cutKey = "";
  host.faults.onChange(async (faults) => {
    const now = streams.filter((stream) => stream.edges.some((edge) => faults.consumerCut(edge.id))).map((stream) => stream.key).join(",");
    if (now === cutKey) return;
    cutKey = now;
    await commands.client("UNBLOCK", readerId);
  });

  type Stream = (typeof streams)[number];
  type Batch = Array<[string, Array<[string, string[] | null]>]>;
  /** Entries in work; reads ask for at most the free slots, so a slow service is not flooded. */
  const inFlight = new Set<Promise<void>>();
  let slotFreed: () => void = () => {};

  async function handle(stream: Stream, id: string, fields: string[] | null): Promise<void> {
    const lossesAtRead = brokerLosses;
    const json = fields?.[fields.indexOf("m") + 1];
    // A pending entry trimmed from the stream since (MAXLEN) comes back without fields: acknowledge it.
    const ended: SubscriberEnd =
      json !== undefined
        ? await deliver(host, stream.topic, stream.edges, json, Delivery.DURABLE, id)
        : // Read before (by a process that died), then trimmed away: it is gone. Booked on the topic's first edge
          // here (its publisher cannot be known any more).
          { edgeId: stream.edges[0].id, end: "cut from stream" };
    for (;;) {
      try {
        const endedKey = ended ? host.keys.streamEnded(ended.edgeId) : host.keys.streamEnded("");
        const acked = await ackScript(commands)(2, stream.key, endedKey, group, id, ended?.end ?? "");
        // Counted here too, for the live view; the books take the broker's count when it is higher.
        if (ended && acked === 1) host.count(ended.edgeId, ended.end);
        // The broker lost the entry (and its group) while the service worked on it: nothing is left to
        // acknowledge, and the entry never comes back; it ended here, so it is counted here.
        else if (ended && (acked === -1 || lossesAtRead !== brokerLosses)) host.count(ended.edgeId, ended.end);
        return;
      } catch (error) {
        if (isNoGroup(error)) {
          if (ended) host.count(ended.edgeId, ended.end);
          return;
        }
        // Redis away: asked again until it answers (if it lost the entry meanwhile, that is counted then).
        // Closing, it stays pending and comes back at the next start, to be counted then.
        if (closed) return host.log("warn", `XACK ${id}: ${(error as Error).message}`);
        await sleep(READ_RETRY_MS);
      }
    }
  }

  /**
   * The broker lost the stream's group (NOGROUP: Redis restarted without its data, or was flushed): make it
   * again at 0, so what was published since is read; the numbers read next tell what the stream held unread
   * when it was lost ("lost by broker", CUT_LUA).
   */
  async function recover(error: Error): Promise<void> {
    brokerLosses++;
    host.log("warn", `the broker lost the consumer group of ${streams.map((stream) => stream.topic).join(", ")} (${error.message}); making it again — what the stream held unread is counted lost, "lost by broker"`);
    await Promise.all(streams.map(({ key }) => ensureGroup(commands, key, group)));
  }

  /**
   * Entries of a batch, in stream order, by (edge, publishing process): their
   * numbers tell what the stream lost before this group read it (CUT_LUA).
   */
  async function countCuts(batch: Batch): Promise<void> {
    const read = new Map<string, { edgeId: string; from: number; seqs: number[]; refused: number }>();
    for (const [key, entries] of batch) {
      const stream = streams.find((candidate) => candidate.key === key)!;
      for (const [, fields] of entries) {
        const json = fields?.[fields.indexOf("m") + 1];
        if (json === undefined) continue;
        const envelope = parseEnvelope(json);
        if (!envelope || typeof envelope.from !== "number" || typeof envelope.seq !== "number") continue;
        const named = new Set(envelope.edgeIds ?? []);
        const edge = stream.edges.find((candidate) => named.has(candidate.id));
        if (!edge) continue;
        const id = `${edge.id}|${envelope.from}`;
        const entry = read.get(id) ?? { edgeId: edge.id, from: envelope.from, seqs: [], refused: 0 };
        entry.seqs.push(envelope.seq);
        // The refused count that goes with the highest number (entries come in the publisher's order).
        entry.refused = Math.max(entry.refused, typeof envelope.refused === "number" ? envelope.refused : 0);
        read.set(id, entry);
      }
    }
    if (read.size === 0) return;
    const groups = [...read.values()].map((entry) => ({ ...entry, own: seen.get(entry.edgeId)!.get(String(entry.from)) ?? { top: 0, refused: 0 } }));
    const keys = groups.flatMap(({ edgeId }) => [host.keys.streamSeen(edgeId), host.keys.streamEnded(edgeId)]);
    const args = groups.flatMap(({ from, refused, own, seqs }) => [String(from), String(refused), String(own.top), String(own.refused), String(seqs.length), ...seqs.map(String)]);
    const cuts = await cutScript(commands)(keys.length, ...keys, ...args);
    for (const [index, group] of groups.entries()) {
      const cut = Number(cuts[2 * index]);
      // Counted by the host too: the broker's count goes if the broker loses its data.
      if (cut > 0) host.count(group.edgeId, Number(cuts[2 * index + 1]) === 1 ? "lost by broker" : "cut from stream", cut);
      const fields = seen.get(group.edgeId)!;
      const before = fields.get(String(group.from)) ?? { top: 0, refused: 0 };
      fields.set(String(group.from), { top: Math.max(before.top, ...group.seqs), refused: Math.max(before.refused, group.refused) });
    }
  }

  function start(batch: Batch): void {
    for (const [key, entries] of batch) {
      const stream = streams.find((candidate) => candidate.key === key)!;
      for (const [id, fields] of entries) {
        const work = handle(stream, id, fields).finally(() => {
          inFlight.delete(work);
          slotFreed();
        });
        inFlight.add(work);
      }
    }
  }

  async function freeSlots(): Promise<number> {
    while (inFlight.size >= concurrency) await new Promise<void>((resolve) => (slotFreed = resolve));
    return concurrency - inFlight.size;
  }

  /** One XREADGROUP over `from` (all streams by default) from `ids`. */
  async function read(ids: string[], count: number, block: boolean, from: readonly Stream[] = streams): Promise<Batch> {
    const args: Array<string | number> = ["GROUP", group, consumer, "COUNT", count];
    if (block) args.push("BLOCK", BLOCK_MS);
    args.push("STREAMS", ...from.map((stream) => stream.key), ...ids);
    // The typed method: ioredis 6 reshapes a `call("XREADGROUP")` reply of one stream.
    const xreadgroup = reader.xreadgroup.bind(reader) as unknown as (...parts: Array<string | number>) => Promise<unknown>;
    return ((await xreadgroup(...args)) ?? []) as Batch;
  }

  /** After a failed read: the group made again if the broker lost it, else a pause before the next read. Answers whether it recovered. */
  async function pause(error: Error, what: string): Promise<boolean> {
    if (isNoGroup(error)) {
      try {
        await recover(error);
        return true;
      } catch (recoverError) {
        error = recoverError as Error;
      }
    }
    host.log("warn", `${what}: ${error.message}`);
    await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
    return false;
  }

  const loop = (async () => {
    // 1. What this consumer read before and did not acknowledge (it died while working): ids after the cursor.
    const cursors = streams.map(() => "0");
    while (!closed && cursors.some((cursor) => cursor !== ">")) {
      try {
        const batch = await read(cursors, await freeSlots(), false);
        await countCuts(batch);
        for (const [index, stream] of streams.entries()) {
          if (cursors[index] === ">") continue;
          const entries = batch.find(([key]) => key === stream.key)?.[1] ?? [];
          cursors[index] = entries.length === 0 ? ">" : entries[entries.length - 1][0];
        }
        // Streams already past their pending entries got new ones here: those are pending now too, so work on all.
        start(batch);
      } catch (error) {
        // A group made again has nothing pending: on to the new entries.
        if (!closed && (await pause(error as Error, "reading pending entries"))) cursors.fill(">");
      }
    }
    // 2. New entries, as they come — from the streams whose edges are not cut from the broker (their entries wait in the group).
    while (!closed) {
      try {
        const live = streams.filter((stream) => !stream.edges.some((edge) => host.faults.consumerCut(edge.id)));
        if (live.length === 0) {
          await sleep(CUT_POLL_MS);
          continue;
        }
        const batch = await read(live.map(() => ">"), await freeSlots(), true, live);
        await countCuts(batch);
        start(batch);
      } catch (error) {
        if (!closed) await pause(error as Error, "reading streams");
      }
    }
  })();

  return async () => {
    closed = true;
    // Ends the blocked XREADGROUP at once; entries read and not yet acknowledged stay pending for the next start.
    reader.disconnect();
    slotFreed();
    await loop;
    await Promise.all(inFlight);
    await commands.quit().catch(() => commands.disconnect());
  };
}
