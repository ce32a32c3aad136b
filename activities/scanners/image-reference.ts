/**
 * Whether an image reference names its registry (`registry.example.com/x`, `localhost:5000/x`).
 * Docker resolves a bare name like `secops-flow/wapiti` against Docker Hub, where anyone may
 * publish under a name that is free: locally built images must never be pulled by such a name.
 */
export function namesRegistry(image: string): boolean {
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}
