/**
 * Canvas preferences and one-off UI events that are neither the document nor
 * the run: snap to grid, the template explanation card, fit-view requests and
 * the notice toast for opening, importing and sharing.
 */
import { create } from "zustand";

const SNAP_KEY = "ipcplay.snap.v1";
/** How long an information notice stays up. */
const INFO_NOTICE_MS = 10_000;
/** The snap grid matches the canvas's dot grid. */
export const GRID_PX = 20;

export interface Notice {
  tone: "info" | "warn" | "error";
  text: string;
  /** Problems to list under the text (import and link errors list every one). */
  details?: string[];
  action?: { label: string; run: () => void };
  testId?: string;
}

interface UiState {
  snap: boolean;
  /** The loaded topology's description is shown beside the canvas until dismissed. */
  guideOpen: boolean;
  /** Pixels the explanation strip covers at the top of the canvas (0 when closed). */
  guideHeight: number;
  /** Bumped to ask the canvas to fit its view once the new nodes are drawn. */
  fitRequest: number;
  notice: Notice | null;

  loadPrefs(): void;
  toggleSnap(): void;
  setGuideOpen(open: boolean): void;
  setGuideHeight(px: number): void;
  requestFit(): void;
  notify(notice: Notice): void;
  dismissNotice(): void;
}

export const useUiStore = create<UiState>()((set, get) => ({
  snap: true,
  guideOpen: false,
  guideHeight: 0,
  fitRequest: 0,
  notice: null,

  loadPrefs() {
    try {
      const saved = window.localStorage.getItem(SNAP_KEY);
      if (saved !== null) set({ snap: saved === "1" });
    } catch (err) {
      console.warn("localStorage is not available; canvas preferences will not be kept", err);
    }
  },

  toggleSnap() {
    const snap = !get().snap;
    set({ snap });
    try {
      window.localStorage.setItem(SNAP_KEY, snap ? "1" : "0");
    } catch (err) {
      console.warn("could not keep the snap preference", err);
    }
  },

  setGuideOpen: (guideOpen) => set({ guideOpen }),
  setGuideHeight: (guideHeight) => {
    if (get().guideHeight !== guideHeight) set({ guideHeight });
  },
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
  notify(notice) {
    set({ notice });
    // Information goes away on its own; warnings and errors wait to be read.
    if (notice.tone === "info") {
      setTimeout(() => {
        if (get().notice === notice) set({ notice: null });
      }, INFO_NOTICE_MS);
    }
  },
  dismissNotice: () => set({ notice: null }),
}));
