/**
 * The transports a host can use, keyed by Transport. Adding one is a new file
 * beside this one and a line here.
 */
import { Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import type { TransportPlugin } from "./transport";
import { pubsubTransport } from "./pubsub";
import { queueTransport } from "./queue";
import { restTransport } from "./rest";
import { connectTransport } from "./connect";

const PLUGINS: ReadonlyMap<Transport, TransportPlugin> = new Map(
  [restTransport, connectTransport, queueTransport, pubsubTransport].map((plugin) => [plugin.transport, plugin]),
);

/** The plug-in of `transport`, or an Error that names the missing one. */
export function transportPlugin(transport: Transport): TransportPlugin {
  const plugin = PLUGINS.get(transport);
  if (!plugin) throw new Error(`transport ${Transport[transport] ?? transport} is not supported by the service host yet`);
  return plugin;
}
