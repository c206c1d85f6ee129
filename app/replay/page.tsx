import type { Metadata } from "next";
import { ReplayPage } from "@/components/replay/ReplayPage";

export const metadata: Metadata = {
  title: "Replay · IPC Playground",
  description: "A recorded run of IPC Playground, replayed read-only in the browser.",
};

export default function Replay() {
  return <ReplayPage />;
}
