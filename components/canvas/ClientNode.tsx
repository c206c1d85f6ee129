"use client";

import type { Node as FlowNode, NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { NodeCard } from "./NodeCard";

/** A client: originates traffic, so it only has an outgoing handle. */
export const ClientNode = memo(function ClientNode({ data, selected }: NodeProps<FlowNode<{ node: Node }, "client">>) {
  return <NodeCard node={data.node} selected={!!selected} />;
});
