"use client";

/**
 * The replay's bar, in place of the top bar while a recorded run is shown:
 * what it is ("Replay of <name> — recorded <date>"), the time scrubber (play /
 * pause, drag, ← / → one second, Shift ten, speed), a link or the file to
 * share it, and Close replay (Esc) back to the editor.
 */
import { Download, History, Link2, Pause, Play, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { runLink } from "@/lib/replay/replay-link";
import { isTypingTarget } from "@/components/state/useKeyboardShortcuts";
import { useUiStore } from "@/components/state/ui-store";
import { Button } from "@/components/ui/Button";
import { Logo } from "@/components/chrome/Logo";
import { downloadRecord } from "./replay-file";
import { closeReplay, seek, setPlaying, setSpeed, SPEEDS, useReplayStore } from "./replay-store";

/** "Dec 2, 14:05": when the run was recorded. */
function recordedText(unixMs: number): string {
  return new Date(unixMs).toLocaleString("en-GB", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "12.3 s", "1:05.0". */
export function clockText(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

export function ReplayBar() {
  const replay = useReplayStore((s) => s.replay);
  const t = useReplayStore((s) => s.t);
  const playing = useReplayStore((s) => s.playing);
  const speed = useReplayStore((s) => s.speed);
  const standalone = useReplayStore((s) => s.standalone);

  // Playing: the time moves with the clock, times the speed.
  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function step(now) {
      const s = useReplayStore.getState();
      seek(s.t + ((now - last) / 1000) * s.speed);
      last = now;
      if (useReplayStore.getState().playing) frame = requestAnimationFrame(step);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  // ← / → a second (Shift: ten), Space plays or pauses, Esc closes.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = useReplayStore.getState();
      if (!s.replay || e.ctrlKey || e.metaKey || e.altKey) return;
      const onScrubber = (e.target as HTMLElement | null)?.dataset?.testid === "replay-scrubber";
      if (isTypingTarget(e.target) && !onScrubber) return;
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        setPlaying(false);
        seek(s.t + (e.key === "ArrowLeft" ? -1 : 1) * (e.shiftKey ? 10 : 1));
      } else if (e.key === " " && (onScrubber || e.target === document.body)) {
        e.preventDefault();
        setPlaying(!s.playing);
      } else if (e.key === "Escape" && !s.standalone && !useUiStore.getState().drawer) {
        closeReplay();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (!replay) return null;
  const { record, durationS } = replay;
  const at = durationS > 0 ? t / durationS : 1;

  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-amber-200 bg-amber-50 px-3" data-testid="replay-banner" role="region" aria-label="Replay">
      <Logo />
      <div className="flex min-w-0 items-center gap-2 text-sm">
        <History className="size-4 shrink-0 text-amber-700" />
        <span className="truncate text-zinc-700" data-testid="replay-title">
          Replay of <span className="font-semibold text-zinc-900">{record.name}</span> — recorded {recordedText(record.startedUnixMs)}
        </span>
        <span className="shrink-0 rounded-full bg-amber-100 px-2 py-0.5 text-2xs font-medium text-amber-800 ring-1 ring-amber-200" title="A recorded run: nothing here runs or changes, and no server is asked">
          read-only
        </span>
      </div>
      <div className="ml-2 flex min-w-[280px] flex-1 items-center gap-2">
        <Button
          size="sm"
          variant="primary"
          className="w-8 justify-center px-0"
          onClick={() => setPlaying(!playing)}
          aria-label={playing ? "Pause" : "Play"}
          title={playing ? "Pause (Space)" : "Play (Space)"}
          data-testid="replay-play"
          data-playing={playing}
        >
          {playing ? <Pause className="size-4" /> : <Play className="size-4" />}
        </Button>
        <input
          type="range"
          min={0}
          max={durationS}
          step="any"
          value={t}
          onChange={(e) => {
            setPlaying(false);
            seek(Number(e.currentTarget.value));
          }}
          className="h-1.5 min-w-0 flex-1 cursor-pointer appearance-auto rounded-full accent-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-blue-500 focus:outline-none"
          style={{ background: `linear-gradient(to right, #18181b ${at * 100}%, #e4e4e7 ${at * 100}%)` }}
          aria-label="Replay time"
          aria-valuetext={`${clockText(t)} of ${clockText(durationS)}`}
          title="Drag, or ← / → one second (Shift: ten)"
          data-testid="replay-scrubber"
        />
        <span className="tabular w-[108px] shrink-0 text-right text-xs text-zinc-600" data-testid="replay-time" data-t={t.toFixed(1)} data-end={t >= durationS || undefined}>
          {clockText(t)} / {clockText(durationS)}
        </span>
        <select
          value={speed}
          onChange={(e) => setSpeed(Number(e.currentTarget.value))}
          className="h-7 shrink-0 rounded-md border border-zinc-200 bg-white px-1.5 text-xs text-zinc-700"
          aria-label="Replay speed"
          data-testid="replay-speed"
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </div>
      <ShareReplay />
      <Button size="sm" variant="ghost" onClick={() => downloadRecord(record)} title="Download this recorded run as a file (open it here, or on the replay page)" data-testid="replay-download">
        <Download className="size-3.5" />
        File
      </Button>
      {!standalone && (
        <Button size="sm" variant="secondary" onClick={closeReplay} title="Back to your canvas (Esc)" data-testid="replay-close">
          <X className="size-3.5" />
          Close replay
        </Button>
      )}
    </header>
  );
}

/** A link to the static replay page with the run in its fragment, or why there is none. */
function ShareReplay() {
  const replay = useReplayStore((s) => s.replay);
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    // Esc closes this panel only (capture: before the bar's Esc closes the replay).
    const esc = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopImmediatePropagation();
      setOpen(false);
    };
    window.addEventListener("pointerdown", away);
    window.addEventListener("keydown", esc, true);
    return () => {
      window.removeEventListener("pointerdown", away);
      window.removeEventListener("keydown", esc, true);
    };
  }, [open]);
  if (!replay) return null;
  const link = open ? runLink(replay.record) : null;
  const url = link?.ok ? `${window.location.origin}/replay#${link.fragment}` : "";
  return (
    <div className="relative" ref={box}>
      <Button size="sm" variant="ghost" onClick={() => setOpen((o) => !o)} aria-expanded={open} title="A link to a read-only page that replays this run, no server needed" data-testid="replay-share">
        <Link2 className="size-3.5" />
        Link
      </Button>
      {open && link && (
        <div className="absolute top-full right-0 z-50 mt-1 w-[360px] rounded-lg border border-zinc-200 bg-white p-3 text-xs text-zinc-600 shadow-lg" data-testid="replay-share-panel">
          {link.ok ? (
            <>
              <p className="mb-2">
                Anyone with this link sees this run replayed, read-only; the run travels in the link itself and never reaches a server.
                {link.withoutTraces && <span className="mt-1 block text-amber-700">The run is too big for a link with its traces, so the link holds its numbers only. The file has everything.</span>}
              </p>
              <div className="flex gap-1.5">
                <input readOnly value={url} onFocus={(e) => e.currentTarget.select()} className="h-7 min-w-0 flex-1 rounded-md border border-zinc-200 px-2 font-mono text-2xs" data-testid="replay-link" aria-label="Replay link" />
                <Button
                  size="sm"
                  variant="primary"
                  onClick={() => {
                    void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false));
                  }}
                >
                  {copied ? "Copied" : "Copy"}
                </Button>
              </div>
            </>
          ) : (
            <div data-testid="replay-link-too-big">
              <p className="mb-2 text-amber-800">{link.why[0].toUpperCase() + link.why.slice(1)}. Share the file instead: anyone can drop it on the replay page.</p>
              <Button size="sm" variant="primary" onClick={() => downloadRecord(replay.record)}>
                <Download className="size-3.5" />
                Download the file
              </Button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
