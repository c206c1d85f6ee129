"use client";

import {
  Background,
  BackgroundVariant,
  type Connection,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Viewport,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { NodeKind, type Transport } from "@/lib/gen/ipcplay/v1/topology_pb";
import { useDocumentStore } from "@/components/state/document-store";
import { isEditLocked, isLive, useRunStore } from "@/components/state/run-store";
import type { CanvasEdge, CanvasNode } from "@/lib/topology";
import { openJsonFile } from "@/components/files/open-json-file";
import { GRID_PX, useUiStore } from "@/components/state/ui-store";
import { focusEdge } from "@/components/state/edge-focus";
import { useReplayStore } from "@/components/replay/replay-store";
import { EmptyCanvas } from "@/components/templates/EmptyCanvas";
import { TemplateGuide } from "@/components/templates/TemplateGuide";
import { transportStyle } from "@/components/ui/transport-style";
import { CanvasTools, FIT_VIEW } from "./CanvasTools";
import { ClientNode } from "./ClientNode";
import { DRAG_MIME } from "./Palette";
import { ServiceNode } from "./ServiceNode";
import { TransportEdge } from "./TransportEdge";
import { allInView } from "./viewport";
import { type PendingConnection, TransportPicker } from "./TransportPicker";

const nodeTypes = { service: ServiceNode, client: ClientNode };
const edgeTypes = { transport: TransportEdge };
const NODE_W = 216;
const NODE_H = 92;
/** A phone's view is small: the drawing takes nearly all of it. */
const READ_ONLY_FIT = { ...FIT_VIEW, padding: 0.08 } as const;

export function Canvas({ onAdd }: { onAdd: (kind: NodeKind) => void }) {
  const { nodes, edges, onNodesChange, onEdgesChange, addNode, connect, deselectAll } = useDocumentStore(
    useShallow((s) => ({
      nodes: s.nodes,
      edges: s.edges,
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      addNode: s.addNode,
      connect: s.connect,
      deselectAll: s.deselectAll,
    })),
  );
  const live = useRunStore((s) => isLive(s.phase));
  // While a run is up the canvas stays editable (UpdateRun); only starting or stopping locks it.
  const locked = useRunStore((s) => isEditLocked(s.phase));
  const snap = useUiStore((s) => s.snap);
  // On a phone the canvas is a view: pan and zoom, nothing to select, move, connect or delete.
  const readOnly = useUiStore((s) => s.screen === "phone");
  // A replay shows a recorded run: selectable (for its charts and traces), never edited.
  const replaying = useReplayStore((s) => s.replay !== null);
  const { screenToFlowPosition, flowToScreenPosition, fitView, getViewport } = useReactFlow();
  const [pending, setPending] = useState<PendingConnection | null>(null);
  // Fit a restored document once; never jump the view while someone builds.
  const [fitOnOpen] = useState(() => nodes.length > 0);

  const styledEdges = useMemo(
    () =>
      edges.map((e) => ({
        ...e,
        markerEnd: { type: MarkerType.ArrowClosed, color: transportStyle(e.data.edge.transport).color, width: 16, height: 16 },
      })),
    [edges],
  );

  const isValidConnection = useCallback(
    (c: Connection | CanvasEdge) => {
      if (c.source === c.target) return false;
      const target = nodes.find((n) => n.id === c.target);
      if (!target || target.type === "client") return false;
      return !edges.some((e) => e.source === c.source && e.target === c.target);
    },
    [nodes, edges],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const a = nodes.find((n) => n.id === c.source);
      const b = nodes.find((n) => n.id === c.target);
      if (!a || !b) return;
      const mid = flowToScreenPosition({
        x: (a.position.x + b.position.x + NODE_W) / 2,
        y: (a.position.y + b.position.y + NODE_H) / 2,
      });
      setPending({ source: c.source, target: c.target, x: mid.x, y: mid.y });
    },
    [nodes, flowToScreenPosition],
  );

  const pick = useCallback(
    (t: Transport) => {
      if (pending) connect(pending.source, pending.target, t);
      setPending(null);
    },
    [pending, connect],
  );
  const cancel = useCallback(() => setPending(null), []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      if (readOnly) return;
      const file = e.dataTransfer.files[0];
      if (file) {
        // A .json file dropped on the canvas is imported, through the same gate as the File menu: a topology, or OTLP traces.
        e.preventDefault();
        if (!live) void openJsonFile(file);
        return;
      }
      const kind = Number(e.dataTransfer.getData(DRAG_MIME));
      if (kind !== NodeKind.CLIENT && kind !== NodeKind.SERVICE) return;
      e.preventDefault();
      if (locked || replaying) return;
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addNode(kind, { x: Math.round(p.x - NODE_W / 2), y: Math.round(p.y - NODE_H / 2) });
    },
    [addNode, screenToFlowPosition, live, locked, readOnly, replaying],
  );

  // The read-only view has no tool buttons (CanvasTools, which fits an opened topology): it fits here,
  // and again when its size changes (a phone turned on its side) unless the view was moved since.
  const fitRequest = useUiStore((s) => s.fitRequest);
  const size = useStore((s) => `${s.width}x${s.height}`);
  const fitted = useRef<Viewport | null>(null);
  /** Fits still animating: the view they leave is a fit too. */
  const fitting = useRef(0);
  const fitReadOnly = useCallback(async () => {
    fitting.current++;
    try {
      await fitView({ ...READ_ONLY_FIT, duration: 250 });
    } finally {
      fitting.current--;
    }
    fitted.current = getViewport();
  }, [fitView, getViewport]);
  useEffect(() => {
    if (readOnly && fitRequest > 0) void fitReadOnly();
  }, [readOnly, fitRequest, fitReadOnly]);
  useEffect(() => {
    if (!readOnly) return;
    const v = getViewport();
    const f = fitted.current;
    if (!f || fitting.current > 0 || (Math.abs(v.x - f.x) < 1 && Math.abs(v.y - f.y) < 1 && Math.abs(v.zoom - f.zoom) < 0.001)) void fitReadOnly();
    // The size alone decides; the rest is read when it changes.
  }, [size]);

  // The minimap is for finding what is off screen; with every card in view it would only cover one.
  const everythingInView = useStore((s) =>
    allInView(
      [...s.nodeLookup.values()].map((n) => ({
        ...n.internals.positionAbsolute,
        width: n.measured.width ?? 0,
        height: n.measured.height ?? 0,
      })),
      { x: s.transform[0], y: s.transform[1], zoom: s.transform[2] },
      { width: s.width, height: s.height },
    ),
  );

  const labelOf = (id: string) => nodes.find((n) => n.id === id)?.data.node.label || id;

  return (
    <div
      className={readOnly ? "ipc-read-only relative h-full w-full" : "relative h-full w-full"}
      data-testid="canvas"
      data-read-only={readOnly || undefined}
      onKeyDown={(e) => {
        // Enter or Space on a focused edge (Tab reaches them) does what a click on it does; React Flow selects it.
        if (readOnly || (e.key !== "Enter" && e.key !== " ")) return;
        const edgeId = (e.target as Element).closest?.(".react-flow__edge")?.getAttribute("data-id");
        if (edgeId) focusEdge(edgeId);
      }}
    >
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        nodesConnectable={!locked && !readOnly && !replaying}
        nodesDraggable={!readOnly && !replaying}
        elementsSelectable={!readOnly}
        nodesFocusable={!readOnly}
        edgesFocusable={!readOnly}
        selectionKeyCode={readOnly ? null : undefined}
        multiSelectionKeyCode={readOnly ? null : undefined}
        deleteKeyCode={locked || readOnly || replaying ? null : ["Delete", "Backspace"]}
        onPaneClick={() => deselectAll()}
        // During or after a run, a click on an edge's line shows its traces and chart as well as selecting it.
        onEdgeClick={(_e, edge) => {
          if (!readOnly) focusEdge(edge.id);
        }}
        onDragOver={(e) => {
          if (readOnly) return;
          if (e.dataTransfer.types.includes(DRAG_MIME) || e.dataTransfer.types.includes("Files")) {
            e.preventDefault();
            const files = e.dataTransfer.types.includes("Files");
            e.dataTransfer.dropEffect = (files ? live : locked) ? "none" : "copy";
          }
        }}
        onDrop={onDrop}
        fitView={fitOnOpen}
        fitViewOptions={readOnly ? READ_ONLY_FIT : FIT_VIEW}
        minZoom={0.25}
        maxZoom={2}
        connectionLineStyle={{ stroke: "#71717a", strokeWidth: 2, strokeDasharray: "4 4" }}
        attributionPosition="top-right"
        snapToGrid={snap}
        snapGrid={[GRID_PX, GRID_PX]}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.4} color="#d4d4d8" />
        <Controls showInteractive={false} position="bottom-left">
          {!readOnly && <CanvasTools />}
        </Controls>
        {/* On a phone the minimap would cover half the view; pinch and drag find the rest. */}
        {nodes.length > 0 && !everythingInView && !readOnly && (
          <MiniMap
            position="bottom-right"
            pannable
            zoomable
            nodeColor={(n) => ((n as CanvasNode).type === "client" ? "#bae6fd" : "#d4d4d8")}
            nodeBorderRadius={6}
            maskColor="rgb(244 244 245 / 0.7)"
            style={{ width: 160, height: 100 }}
          />
        )}
      </ReactFlow>

      {nodes.length === 0 &&
        (readOnly ? (
          <div className="pointer-events-none absolute inset-0 flex items-center justify-center p-8 text-center text-sm leading-relaxed text-zinc-500" data-testid="read-only-empty">
            Nothing to show yet. Open a shared topology link here to view it; building one needs a wider screen.
          </div>
        ) : (
          <EmptyCanvas onAdd={onAdd} onDrop={onDrop} disabled={locked} />
        ))}
      <TemplateGuide />

      {pending && (
        <TransportPicker
          pending={pending}
          sourceLabel={labelOf(pending.source)}
          targetLabel={labelOf(pending.target)}
          onPick={pick}
          onCancel={cancel}
        />
      )}
    </div>
  );
}
