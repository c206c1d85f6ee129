/** Hands the browser a file to download (a JSON document: topology, runs, OTLP traces). */
export function saveFile(contents: string | Uint8Array<ArrayBuffer>, name: string): void {
  const url = URL.createObjectURL(new Blob([contents], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start the download after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
