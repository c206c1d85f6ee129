import { clone } from "@bufbuild/protobuf";
import { TopologySchema, type Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { findTemplate, type Template } from "@/lib/topology";
import { openTopology } from "@/components/state/open-topology";

/** Replaces the canvas with a copy of the template (undoable) and opens its explanation. */
export function loadTemplate(id: string): boolean {
  const template = findTemplate(id);
  if (!template) return false;
  return openTopology(clone(TopologySchema, template.topology), { source: "template" });
}

/** The transports a template uses, in the legend's order, for its card. */
export function transportsOf(template: Template): Transport[] {
  return [...new Set(template.topology.edges.map((e) => e.transport))].sort((a, b) => a - b);
}
