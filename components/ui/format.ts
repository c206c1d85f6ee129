/**
 * Number formatting for the UI. Every number on screen carries a unit; these
 * keep the unit and the precision consistent everywhere.
 */

/** `0.4 ms`, `12 ms`, `1.25 s`, `2 min 5 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${trimZero(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}

/** `0.5 msg/s`, `12 msg/s`, `1.2k msg/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "0 msg/s";
  if (perSecond < 10) return `${trimZero(perSecond.toFixed(1))} msg/s`;
  if (perSecond < 1000) return `${Math.round(perSecond)} msg/s`;
  return `${trimZero((perSecond / 1000).toFixed(1))}k msg/s`;
}

/** Integer counts with thin grouping: `1,234`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `0 B`, `512 B`, `1.5 KiB`, `4.2 MiB`, `48 MiB`, `1.5 GiB` — binary units, like the OS counts memory. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 ** 2) return `${trimZero((bytes / 1024).toFixed(1))} KiB`;
  const mib = bytes / 1024 ** 2;
  // Past 10 MiB a decimal is noise that changes every second on a live process.
  if (mib < 10) return `${trimZero(mib.toFixed(1))} MiB`;
  if (mib < 1024) return `${Math.round(mib)} MiB`;
  return `${trimZero((mib / 1024).toFixed(1))} GiB`;
}

/**
 * CPU of one process as the OS counts it, in percent of ONE core (`top`'s
 * convention): `0 %`, `0.4 %`, `12 %`, `180 %` (nearly two cores).
 */
export function formatCpu(percentOfOneCore: number): string {
  if (!Number.isFinite(percentOfOneCore) || percentOfOneCore < 0) return "–";
  if (percentOfOneCore < 0.05) return "0 %";
  if (percentOfOneCore < 10) return `${trimZero(percentOfOneCore.toFixed(1))} %`;
  return `${Math.round(percentOfOneCore)} %`;
}

/** `0 %`, `2.5 %` from a 0..1 share. */
export function formatPercent(share: number): string {
  return `${trimZero((share * 100).toFixed(1))} %`;
}

/** Wall-clock time of day with milliseconds: `14:03:07.412`. */
export function formatClock(unixMs: number): string {
  const d = new Date(unixMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** How long ago, coarse: `now`, `4 s ago`, `3 min ago`. */
export function formatAgo(unixMs: number, now: number): string {
  const s = Math.max(0, Math.floor((now - unixMs) / 1000));
  if (s < 2) return "now";
  if (s < 60) return `${s} s ago`;
  return `${Math.floor(s / 60)} min ago`;
}

function trimZero(s: string): string {
  return s.replace(/\.0$/, "");
}
