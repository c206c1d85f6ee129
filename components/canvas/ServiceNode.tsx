"use client";

import type { Node as FlowNode, NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { Node } from "@/lib/gen/ipcplay/v1/topology_pb";
import { NodeCard } from "./NodeCard";

/** A service: receives on the left, forwards on the right. */
export const ServiceNode = memo(function ServiceNode({ data, selected }: NodeProps<FlowNode<{ node: Node }, "service">>) {
  return <NodeCard node={data.node} selected={!!selected} />;
});
