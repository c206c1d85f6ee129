/**
 * What a service host says before it is a node. A host forked ahead of time
 * for the warm pool (server/runtime/host-pool.ts) tells the parent once it has
 * loaded its bundle and listens for `init`, so the pool can fork the next one
 * only then — one load at a time — and knows which hosts are ready to take.
 * It travels on the same channel as ChildMessage, whose guard ignores it.
 */
export interface HostLoadedMessage {
  type: "loaded";
  pid: number;
}

export function isHostLoadedMessage(value: unknown): value is HostLoadedMessage {
  return typeof value === "object" && value !== null && "type" in value && value.type === "loaded";
}
