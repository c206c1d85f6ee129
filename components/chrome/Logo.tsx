export function Logo() {
  return (
    <svg viewBox="0 0 32 32" className="size-6" aria-hidden>
      <rect width="32" height="32" rx="8" fill="#18181b" />
      <path d="M10 11.5C16 11.5 16 20.5 22 20.5" stroke="#60a5fa" strokeWidth="2.2" strokeLinecap="round" fill="none" />
      <path d="M10 20.5C16 20.5 16 11.5 22 11.5" stroke="#a78bfa" strokeWidth="2.2" strokeLinecap="round" strokeDasharray="0.1 3.6" fill="none" />
      <circle cx="9" cy="11.5" r="2.6" fill="#fafafa" />
      <circle cx="9" cy="20.5" r="2.6" fill="#fafafa" />
      <circle cx="23" cy="11.5" r="2.6" fill="#fafafa" />
      <circle cx="23" cy="20.5" r="2.6" fill="#fafafa" />
    </svg>
  );
}
