import clsx from "clsx";

/**
 * A hover/focus tooltip in CSS only. `content` null renders the child alone.
 */
export function Tooltip({
  content,
  children,
  side = "bottom",
  align = "center",
  className,
}: {
  content: React.ReactNode;
  children: React.ReactNode;
  side?: "top" | "bottom";
  align?: "start" | "center" | "end";
  className?: string;
}) {
  if (content === null || content === undefined || content === "") return <>{children}</>;
  return (
    <span className={clsx("group/tt relative inline-flex", className)}>
      {children}
      <span
        role="tooltip"
        className={clsx(
          "pointer-events-none absolute z-50 w-max max-w-72 rounded-md bg-zinc-900 px-2.5 py-1.5 text-xs leading-snug font-normal text-zinc-100 opacity-0 shadow-lg transition-opacity duration-100",
          "group-hover/tt:opacity-100 group-focus-within/tt:opacity-100",
          side === "bottom" ? "top-full mt-2" : "bottom-full mb-2",
          align === "center" && "left-1/2 -translate-x-1/2",
          align === "start" && "left-0",
          align === "end" && "right-0",
        )}
      >
        {content}
      </span>
    </span>
  );
}
