/**
 * Canvas preferences and one-off UI events that are neither the document nor
 * the run: snap to grid, the template explanation card, fit-view requests,
 * the notice toast for opening, importing and sharing, and how the screen's
 * width lays the page out (docked panels, drawers, or a read-only view).
 */
import { create } from "zustand";

const SNAP_KEY = "ipcplay.snap.v1";
const EXPERIMENT_KEY = "ipcplay.experiment-open.v1";
/** How long an information notice stays up. */
const INFO_NOTICE_MS = 10_000;
/** The snap grid matches the canvas's dot grid. */
export const GRID_PX = 20;

/**
 * How the page is laid out, by the window's size:
 * - `wide` (≥ 1,100 px): palette, canvas and inspector side by side;
 * - `narrow` (768–1,099 px): the palette and the inspector are drawers over the
 *   canvas, opened from the top bar, one at a time;
 * - `phone` (< 768 px wide, or a touch screen under 500 px tall): the canvas
 *   alone, read-only, with no editing chrome.
 * The same queries drive the CSS variants `narrow:` and `phone:` in app/globals.css,
 * so the first paint is already laid out right; this flag is for behaviour.
 */
export type Screen = "wide" | "narrow" | "phone";
export const NARROW_QUERY = "(max-width: 1099.98px)";
export const PHONE_QUERY = "(max-width: 767.98px), (pointer: coarse) and (max-height: 499.98px)";

/** The side panels that become drawers on a narrow screen. */
export type Drawer = "palette" | "inspector";

/** The screen for the two media queries' answers: the phone's wins. */
export function screenFor(narrow: boolean, phone: boolean): Screen {
  return phone ? "phone" : narrow ? "narrow" : "wide";
}

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
  screen: Screen;
  /** The drawer open on a narrow screen; null when none is (always null on the other screens). */
  drawer: Drawer | null;
  /** The experiment strip under the canvas is open (kept across reloads). */
  experimentOpen: boolean;

  loadPrefs(): void;
  toggleSnap(): void;
  setGuideOpen(open: boolean): void;
  setGuideHeight(px: number): void;
  requestFit(): void;
  notify(notice: Notice): void;
  dismissNotice(): void;
  setScreen(screen: Screen): void;
  /** Opens `drawer` (closing the other), or closes it when it is open. Only on a narrow screen. */
  toggleDrawer(drawer: Drawer): void;
  closeDrawer(): void;
  setExperimentOpen(open: boolean): void;
}

export const useUiStore = create<UiState>()((set, get) => ({
  snap: true,
  guideOpen: false,
  guideHeight: 0,
  fitRequest: 0,
  notice: null,
  screen: "wide",
  drawer: null,
  experimentOpen: true,

  loadPrefs() {
    try {
      const saved = window.localStorage.getItem(SNAP_KEY);
      if (saved !== null) set({ snap: saved === "1" });
      const experiment = window.localStorage.getItem(EXPERIMENT_KEY);
      if (experiment !== null) set({ experimentOpen: experiment === "1" });
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
  setScreen(screen) {
    // A drawer belongs to the narrow layout: crossing a breakpoint closes it.
    if (get().screen !== screen) set({ screen, drawer: null });
  },
  toggleDrawer(drawer) {
    if (get().screen !== "narrow") return;
    set((s) => ({ drawer: s.drawer === drawer ? null : drawer }));
  },
  closeDrawer: () => set({ drawer: null }),
  setExperimentOpen(experimentOpen) {
    set({ experimentOpen });
    try {
      window.localStorage.setItem(EXPERIMENT_KEY, experimentOpen ? "1" : "0");
    } catch (err) {
      console.warn("could not keep the experiment strip's state", err);
    }
  },
}));

/**
 * Keeps `screen` in step with the window; returns the function that stops.
 * Call once on mount (the server renders `wide`, the CSS variants cover the first paint).
 */
export function watchScreen(): () => void {
  const narrow = window.matchMedia(NARROW_QUERY);
  const phone = window.matchMedia(PHONE_QUERY);
  const update = () => useUiStore.getState().setScreen(screenFor(narrow.matches, phone.matches));
  update();
  narrow.addEventListener("change", update);
  phone.addEventListener("change", update);
  return () => {
    narrow.removeEventListener("change", update);
    phone.removeEventListener("change", update);
  };
}
