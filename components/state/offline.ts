/**
 * While a recorded run is replayed the page talks to no server: the control
 * plane's client and the run socket refuse to start (issue 12: a replay makes
 * no control-plane or socket.io call). A module flag, not a store: nothing
 * renders from it.
 */
let offline = false;

export function setOffline(on: boolean): void {
  offline = on;
}

export function isOffline(): boolean {
  return offline;
}

export class OfflineError extends Error {
  constructor() {
    super("A replay talks to no server: close the replay first.");
    this.name = "OfflineError";
  }
}
