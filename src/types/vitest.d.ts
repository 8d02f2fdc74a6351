// Only what src/vitest.mts needs to compile without Vitest installed; a user's own Vitest types replace it.
declare module 'vitest' {
  export const expect: { extend(matchers: object): void };
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
  export interface Assertion<T = any> {}
}
