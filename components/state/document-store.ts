/**
 * The saved document: the topology a person draws, as React Flow nodes and
 * edges (each carrying its protobuf Node/Edge in `data`). Live run state lives
 * in run-store.ts, never here. Autosaved to localStorage; restored only through
 * parseTopology, the one gate.
 */
import { clone, create as createMessage, toJson } from "@bufbuild/protobuf";
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import {
  type Edge,
  EdgeSchema,
  type Node,
  NodeKind,
  NodeSchema,
  type Topology,
  TopologySchema,
  type Transport,
} from "@/lib/gen/ipcplay/v1/topology_pb";
import { sharedChannelNotice } from "@/components/canvas/edge-text";
import { useUiStore } from "./ui-store";
import { changeKey, emptyHistory, type History, record, redo, undo } from "./history";
import {
  type CanvasEdge,
  type CanvasNode,
  canvasToTopology,
  createEdge,
  createNode,
  emptyTopology,
  parseTopology,
  slugifyId,
  topologyToCanvas,
  uniqueEdgeId,
  uniqueNodeId,
} from "@/lib/topology";
import { retargetSchedule } from "@/lib/faults/schedule";

export const STORAGE_KEY = "ipcplay.topology.v1";

/** Edges in the store always carry their topology edge. */
export type DocEdge = CanvasEdge & { data: { edge: Edge } };

type Meta = Pick<Topology, "name" | "description" | "hopLimit" | "version" | "schedule">;

/** What undo brings back: the document, selection included. */
export type DocSnapshot = Pick<DocumentState, "meta" | "nodes" | "edges">;

export interface DocumentState {
  meta: Meta;
  nodes: CanvasNode[];
  edges: DocEdge[];
  /** Undo/redo steps, recorded by {@link startHistory}. */
  history: History<DocSnapshot>;
  /** False until the autosaved document has been read (client only). */
  hydrated: boolean;
  /** Set when the saved document could not be restored. */
  restoreNotice: string | null;

  hydrate(): void;
  dismissRestoreNotice(): void;
  setName(name: string): void;
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  addNode(kind: NodeKind, position: { x: number; y: number }): string;
  connect(source: string, target: string, transport: Transport): string | null;
  updateNode(id: string, mutate: (node: Node) => void): void;
  /** Changes a node's id and every edge that refers to it. */
  renameNodeId(oldId: string, newId: string): void;
  updateEdge(id: string, mutate: (edge: Edge) => void): void;
  select(ids: { nodes?: string[]; edges?: string[] }): void;
  deselectAll(): void;
  deleteSelection(): void;
  replace(topology: Topology): void;
  /** Adds nodes and edges (already given unique ids) and selects only them. */
  insert(nodes: Node[], edges: Edge[]): void;
  /** Moves nodes to new top-left positions, in one undo step. */
  moveNodes(positions: ReadonlyMap<string, { x: number; y: number }>): void;
  undo(): void;
  redo(): void;
}

/** The document as a Topology message, memoized on the store's arrays. */
export const selectTopology = (() => {
  let last: { meta: Meta; nodes: CanvasNode[]; edges: DocEdge[]; topology: Topology } | null = null;
  return (s: Pick<DocumentState, "meta" | "nodes" | "edges">): Topology => {
    if (last && last.meta === s.meta && last.nodes === s.nodes && last.edges === s.edges) return last.topology;
    const topology = canvasToTopology(s.meta, s.nodes, s.edges);
    last = { meta: s.meta, nodes: s.nodes, edges: s.edges, topology };
    return topology;
  };
})();

function metaOf(t: Topology): Meta {
  return { name: t.name, description: t.description, hopLimit: t.hopLimit, version: t.version || 1, schedule: t.schedule };
}

/** True when an edge id is still the one made from its ends (so it follows renames). */
function isAutoEdgeId(id: string, source: string, target: string): boolean {
  const base = slugifyId(`${source}-${target}`);
  return id === base || (id.startsWith(`${base}-`) && /^\d+$/.test(id.slice(base.length + 1)));
}

/** True while undo/redo writes a snapshot back, so that write is not recorded as a change. */
let restoring = false;

export const useDocumentStore = create<DocumentState>()((set, get) => ({
  meta: metaOf(emptyTopology()),
  nodes: [],
  edges: [],
  history: emptyHistory(),
  hydrated: false,
  restoreNotice: null,

  hydrate() {
    if (get().hydrated) return;
    let raw: string | null = null;
    try {
      raw = window.localStorage.getItem(STORAGE_KEY);
    } catch (err) {
      console.warn("localStorage is not available; the topology will not be saved", err);
    }
    if (raw === null) {
      set({ hydrated: true });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      set({ hydrated: true, restoreNotice: "The saved topology was unreadable, so the canvas starts empty." });
      return;
    }
    const parsed = parseTopology(json);
    if (!parsed.topology) {
      const why = parsed.problems[0]?.message;
      set({
        hydrated: true,
        restoreNotice: `The saved topology could not be restored${why ? ` (${why})` : ""}, so the canvas starts empty.`,
      });
      return;
    }
    // A restored document with problems is still shown: they are marked on the canvas.
    const { nodes, edges } = topologyToCanvas(parsed.topology);
    set({ hydrated: true, meta: metaOf(parsed.topology), nodes, edges: edges as DocEdge[] });
  },

  dismissRestoreNotice: () => set({ restoreNotice: null }),

  setName: (name) => set((s) => ({ meta: { ...s.meta, name } })),

  onNodesChange: (changes) => set((s) => ({ nodes: applyNodeChanges(changes, s.nodes) as CanvasNode[] })),

  onEdgesChange: (changes) => set((s) => ({ edges: applyEdgeChanges<CanvasEdge>(changes, s.edges) as DocEdge[] })),

  addNode(kind, position) {
    const s = get();
    const topology = selectTopology(s);
    const base = kind === NodeKind.CLIENT ? "client" : "service";
    const id = uniqueNodeId(topology, base);
    const node = createNode(kind, id, position);
    const suffix = /-(\d+)$/.exec(id)?.[1];
    node.label = (kind === NodeKind.CLIENT ? "Client" : "Service") + (suffix ? ` ${suffix}` : "");
    const canvasNode: CanvasNode = {
      id,
      type: kind === NodeKind.CLIENT ? "client" : "service",
      position,
      data: { node },
      selected: true,
    };
    set({
      nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), canvasNode],
      edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    });
    return id;
  },

  connect(source, target, transport) {
    const s = get();
    if (source === target) return null;
    const topology = selectTopology(s);
    const id = uniqueEdgeId(topology, source, target);
    const edge = createEdge(id, source, target, transport);
    set({
      nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
      edges: [
        ...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        { id, source, target, type: "transport", data: { edge }, selected: true },
      ],
    });
    return id;
  },

  updateNode(id, mutate) {
    set((s) => ({
      nodes: s.nodes.map((n) => {
        if (n.id !== id) return n;
        const node = clone(NodeSchema, n.data.node);
        mutate(node);
        return { ...n, data: { node } };
      }),
    }));
  },

  renameNodeId(oldId, newId) {
    if (oldId === newId) return;
    set((s) => {
      const nodes = s.nodes.map((n) => {
        if (n.id !== oldId) return n;
        const node = clone(NodeSchema, n.data.node);
        node.id = newId;
        return { ...n, id: newId, data: { node } };
      });
      let edges = s.edges;
      if (edges.some((e) => e.source === oldId || e.target === oldId)) {
        const draft: DocEdge[] = [];
        for (const e of edges) {
          if (e.source !== oldId && e.target !== oldId) {
            draft.push(e);
            continue;
          }
          const edge = clone(EdgeSchema, e.data.edge);
          const auto = isAutoEdgeId(edge.id, edge.source, edge.target);
          if (edge.source === oldId) edge.source = newId;
          if (edge.target === oldId) edge.target = newId;
          if (auto) {
            const others = canvasToTopology(s.meta, nodes, [...draft, ...edges.slice(draft.length + 1)]);
            edge.id = uniqueEdgeId(others, edge.source, edge.target);
          }
          draft.push({ ...e, id: edge.id, source: edge.source, target: edge.target, data: { edge } });
        }
        edges = draft;
      }
      // The experiment follows the rename: its entries on the node, and on edges whose ids followed it.
      const edgeRenames = new Map(s.edges.map((e, i) => [e.id, edges[i].id] as const).filter(([a, b]) => a !== b));
      const schedule = retargetSchedule(s.meta.schedule, { nodes: new Map([[oldId, newId]]), edges: edgeRenames }, {
        nodeIds: new Set(nodes.map((n) => n.id)),
        edgeIds: new Set(edges.map((e) => e.id)),
      });
      return { nodes, edges, ...(schedule !== s.meta.schedule ? { meta: { ...s.meta, schedule } } : {}) };
    });
  },

  updateEdge(id, mutate) {
    set((s) => ({
      edges: s.edges.map((e) => {
        if (e.id !== id) return e;
        const edge = clone(EdgeSchema, e.data.edge);
        mutate(edge);
        return { ...e, data: { edge } };
      }),
    }));
  },

  select({ nodes = [], edges = [] }) {
    const n = new Set(nodes);
    const e = new Set(edges);
    set((s) => ({
      nodes: s.nodes.map((x) => (!!x.selected === n.has(x.id) ? x : { ...x, selected: n.has(x.id) })),
      edges: s.edges.map((x) => (!!x.selected === e.has(x.id) ? x : { ...x, selected: e.has(x.id) })),
    }));
  },

  deselectAll: () => get().select({}),

  deleteSelection() {
    set((s) => {
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const nodes = s.nodes.filter((n) => !n.selected);
      const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      // Faults scheduled on what was deleted go with it.
      const schedule = retargetSchedule(s.meta.schedule, {}, { nodeIds: new Set(nodes.map((n) => n.id)), edgeIds: new Set(edges.map((e) => e.id)) });
      return { nodes, edges, ...(schedule !== s.meta.schedule ? { meta: { ...s.meta, schedule } } : {}) };
    });
  },

  replace(topology) {
    const { nodes, edges } = topologyToCanvas(topology);
    set({ meta: metaOf(topology), nodes, edges: edges as DocEdge[] });
  },

  insert(nodes, edges) {
    // Pasted queue and topic edges keep their channel (clipboard.ts): say so, since nothing on the canvas shows it.
    const shared = sharedChannelNotice(
      get().edges.map((e) => e.data.edge),
      edges,
    );
    if (shared) useUiStore.getState().notify({ tone: "info", text: shared, testId: "paste-shared-channel" });
    const added = topologyToCanvas(createMessage(TopologySchema, { nodes, edges }));
    set((s) => ({
      nodes: [
        ...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
        ...added.nodes.map((n) => ({ ...n, selected: true })),
      ],
      edges: [
        ...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        ...(added.edges as DocEdge[]).map((e) => ({ ...e, selected: true })),
      ],
    }));
  },

  moveNodes(positions) {
    set((s) => ({
      nodes: s.nodes.map((n) => {
        const p = positions.get(n.id);
        return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: { x: p.x, y: p.y } } : n;
      }),
    }));
  },

  undo() {
    const s = get();
    const step = undo(s.history, snapshotOf(s));
    if (step) restore(step.snapshot, step.history);
  },

  redo() {
    const s = get();
    const step = redo(s.history, snapshotOf(s));
    if (step) restore(step.snapshot, step.history);
  },
}));

function snapshotOf(s: DocSnapshot): DocSnapshot {
  return { meta: s.meta, nodes: s.nodes, edges: s.edges };
}

function restore(snapshot: DocSnapshot, history: History<DocSnapshot>): void {
  restoring = true;
  try {
    useDocumentStore.setState({ ...snapshot, history });
  } finally {
    restoring = false;
  }
}

/**
 * Changes made in one synchronous run share a batch number, so one key press
 * that removes nodes and then their edges (two store updates) is one step.
 */
let batch = 0;
let batchOpen = false;
function currentBatch(): number {
  if (!batchOpen) {
    batchOpen = true;
    queueMicrotask(() => {
      batch++;
      batchOpen = false;
    });
  }
  return batch;
}

/**
 * Records an undo step before each change of the document (not of the
 * selection or of React Flow's measurements). Returns the unsubscribe.
 */
export function startHistory(): () => void {
  return useDocumentStore.subscribe((s, prev) => {
    if (restoring || suspended || !s.hydrated || !prev.hydrated) return;
    if (s.meta === prev.meta && s.nodes === prev.nodes && s.edges === prev.edges) return;
    const key = changeKey(prev, s);
    if (key === undefined) return;
    const history = record(s.history, snapshotOf(prev), { key, at: performance.now(), batch: currentBatch() });
    useDocumentStore.setState({ history });
  });
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * True while a replay borrows the store to show a recorded run's topology:
 * nothing of it is saved or becomes an undo step, and the person's own
 * document is put back when the replay closes (components/replay).
 */
let suspended = false;

export function suspendDocumentWrites(on: boolean): void {
  suspended = on;
  if (on) clearTimeout(saveTimer);
}

/** Saves the document to localStorage shortly after each change. Returns the unsubscribe. */
export function startAutosave(): () => void {
  const unsubscribe = useDocumentStore.subscribe((s, prev) => {
    if (!s.hydrated || suspended) return;
    if (s.meta === prev.meta && s.nodes === prev.nodes && s.edges === prev.edges) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (suspended) return;
      const json = toJson(TopologySchema, selectTopology(useDocumentStore.getState()));
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(json));
      } catch (err) {
        console.warn("could not autosave the topology", err);
      }
    }, 250);
  });
  return () => {
    clearTimeout(saveTimer);
    unsubscribe();
  };
}
