import { beforeEach, describe, expect, it } from "vitest";
import { screenFor, useUiStore } from "./ui-store";

describe("screen layout", () => {
  beforeEach(() => useUiStore.setState({ screen: "wide", drawer: null }));

  it("is wide, narrow or phone, the phone's query winning", () => {
    expect(screenFor(false, false)).toBe("wide");
    expect(screenFor(true, false)).toBe("narrow");
    expect(screenFor(true, true)).toBe("phone");
    // A touch screen under 500 px tall is a phone however wide (a phone on its side).
    expect(screenFor(false, true)).toBe("phone");
  });

  it("opens one drawer at a time, and only on a narrow screen", () => {
    const ui = useUiStore.getState();
    ui.toggleDrawer("palette");
    expect(useUiStore.getState().drawer).toBeNull();
    ui.setScreen("narrow");
    ui.toggleDrawer("palette");
    expect(useUiStore.getState().drawer).toBe("palette");
    ui.toggleDrawer("inspector");
    expect(useUiStore.getState().drawer).toBe("inspector");
    ui.toggleDrawer("inspector");
    expect(useUiStore.getState().drawer).toBeNull();
  });

  it("closes the drawer when the screen crosses a breakpoint, not when it stays", () => {
    const ui = useUiStore.getState();
    ui.setScreen("narrow");
    ui.toggleDrawer("inspector");
    ui.setScreen("narrow");
    expect(useUiStore.getState().drawer).toBe("inspector");
    ui.setScreen("wide");
    expect(useUiStore.getState()).toMatchObject({ screen: "wide", drawer: null });
    ui.setScreen("narrow");
    expect(useUiStore.getState().drawer).toBeNull();
  });
});

describe("experiment strip", () => {
  it("opens and closes, and keeps going without a localStorage", () => {
    expect(useUiStore.getState().experimentOpen).toBe(true);
    useUiStore.getState().setExperimentOpen(false);
    expect(useUiStore.getState().experimentOpen).toBe(false);
    useUiStore.getState().setExperimentOpen(true);
    expect(useUiStore.getState().experimentOpen).toBe(true);
  });
});
