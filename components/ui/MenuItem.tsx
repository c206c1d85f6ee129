"use client";

/** One entry of a drop-down menu: an icon, a title and a line saying what it does. */
export function MenuItem({
  icon,
  title,
  hint,
  disabled,
  testId,
  onClick,
}: {
  icon: React.ReactNode;
  title: string;
  hint: string;
  disabled?: boolean;
  testId: string;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      role="menuitem"
      disabled={disabled}
      data-testid={testId}
      onClick={onClick}
      className="flex w-full items-start gap-2.5 rounded-lg px-2.5 py-2 text-left text-zinc-600 transition-colors enabled:hover:bg-zinc-100 enabled:hover:text-zinc-900 disabled:cursor-not-allowed disabled:opacity-50 focus-visible:bg-zinc-100 focus-visible:outline-none"
    >
      <span className="mt-px">{icon}</span>
      <span className="min-w-0">
        <span className="block text-[13px] font-medium text-zinc-900">{title}</span>
        <span className="block text-2xs text-zinc-500">{hint}</span>
      </span>
    </button>
  );
}
