"use client";

/**
 * The static share page, /replay: a recorded run from the link's fragment
 * (`#run=r1.…`) or from a file dropped or chosen here, shown read-only with
 * the scrubber. The page never asks the server for anything: it is offline
 * from its first render (components/state/offline.ts).
 */
import { ReactFlowProvider } from "@xyflow/react";
import { FileUp, History } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { decodeRunFragment, RUN_FRAGMENT_KEY } from "@/lib/replay/replay-link";
import { Canvas } from "@/components/canvas/Canvas";
import { Logo } from "@/components/chrome/Logo";
import { Notices } from "@/components/chrome/Notices";
import { RunPanel } from "@/components/panels/RunPanel";
import { setOffline } from "@/components/state/offline";
import { ProblemsContext } from "@/components/state/problems";
import { useDocumentProblems } from "@/components/state/useDocumentProblems";
import { watchScreen } from "@/components/state/ui-store";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Spinner";
import { ReplayBar } from "./ReplayBar";
import { openReplayFile } from "./replay-file";
import { openReplay, useReplayStore } from "./replay-store";
import { JsonFileInput } from "@/components/ui/JsonFileInput";

// Before any component mounts: nothing on this page may reach a server.
if (typeof window !== "undefined") setOffline(true);

export function ReplayPage() {
  return (
    <ReactFlowProvider>
      <ReplayShell />
    </ReactFlowProvider>
  );
}

function ReplayShell() {
  const replaying = useReplayStore((s) => s.replay !== null);
  const problems = useDocumentProblems();
  const [state, setState] = useState<{ loading: boolean; problem: string | null }>({ loading: true, problem: null });

  const fromHash = useCallback(() => {
    const { hash } = window.location;
    if (!hash.startsWith(`#${RUN_FRAGMENT_KEY}=`)) {
      setState({ loading: false, problem: null });
      return;
    }
    const read = decodeRunFragment(hash);
    if ("problem" in read) {
      setState({ loading: false, problem: `This link does not open a recorded run: ${read.problem}.` });
      return;
    }
    openReplay(read.record, { standalone: true });
    setState({ loading: false, problem: null });
  }, []);

  useEffect(() => {
    setOffline(true);
    const stopScreen = watchScreen();
    fromHash();
    window.addEventListener("hashchange", fromHash);
    return () => {
      window.removeEventListener("hashchange", fromHash);
      stopScreen();
    };
  }, [fromHash]);

  const onFile = useCallback(async (file: File) => {
    setState({ loading: true, problem: null });
    const ok = await openReplayFile(file, { standalone: true });
    setState({ loading: false, problem: ok ? null : `“${file.name}” could not be replayed (see the notice).` });
  }, []);

  return (
    <ProblemsContext.Provider value={problems}>
      <div
        className="flex h-screen flex-col overflow-hidden"
        data-testid="replay-page"
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes("Files")) {
            e.preventDefault();
            e.dataTransfer.dropEffect = "copy";
          }
        }}
        onDrop={(e) => {
          const file = e.dataTransfer.files[0];
          if (!file) return;
          e.preventDefault();
          void onFile(file);
        }}
      >
        {replaying ? (
          <>
            <ReplayBar />
            <main className="min-h-0 min-w-0 flex-1">
              <Canvas onAdd={() => {}} />
            </main>
            <div className="flex shrink-0 flex-col phone:hidden">
              <RunPanel />
            </div>
          </>
        ) : (
          <Landing loading={state.loading} problem={state.problem} onFile={onFile} />
        )}
      </div>
      <Notices />
    </ProblemsContext.Provider>
  );
}

function Landing({ loading, problem, onFile }: { loading: boolean; problem: string | null; onFile: (file: File) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-200 bg-white px-3">
        <Logo />
        <span className="text-sm font-semibold text-zinc-900">IPC Playground</span>
        <span className="text-sm text-zinc-500">Replay</span>
        <a href="/" className="ml-auto text-xs text-zinc-500 underline-offset-2 hover:text-zinc-800 hover:underline">
          Open the playground
        </a>
      </header>
      <main className="flex flex-1 items-center justify-center bg-zinc-50 p-6">
        {loading ? (
          <div className="flex items-center gap-2 text-xs text-zinc-500">
            <Spinner /> Opening the recorded run…
          </div>
        ) : (
          <div className="w-full max-w-md rounded-xl border-2 border-dashed border-zinc-300 bg-white p-8 text-center" data-testid="replay-drop">
            <History className="mx-auto mb-3 size-8 text-zinc-400" />
            <h1 className="mb-1 text-sm font-semibold text-zinc-900">Replay a recorded run</h1>
            <p className="mb-4 text-xs text-zinc-500">
              Drop a run file here (History → Export, or a replay’s File button), or open a replay link. Everything stays in this browser: no server runs
              anything.
            </p>
            {problem && (
              <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-left text-xs text-amber-800 ring-1 ring-amber-200" role="alert" data-testid="replay-problem">
                {problem}
              </p>
            )}
            <Button variant="primary" onClick={() => input.current?.click()} data-testid="replay-choose">
              <FileUp className="size-4" />
              Choose a run file…
            </Button>
            <JsonFileInput inputRef={input} testId="replay-file-input" onFile={(f) => onFile(f)} />
          </div>
        )}
      </main>
    </>
  );
}
