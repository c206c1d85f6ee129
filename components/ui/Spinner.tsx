import clsx from "clsx";
import { LoaderCircle } from "lucide-react";

export function Spinner({ className }: { className?: string }) {
  return <LoaderCircle aria-hidden className={clsx("animate-spin", className ?? "size-3.5")} />;
}
