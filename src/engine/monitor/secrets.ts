// placeholder, replaced below
export function maskSecrets(text: string): string { return text; }
