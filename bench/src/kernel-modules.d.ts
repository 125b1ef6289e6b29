/** The virtual module kernel-modules-plugin.mjs generates at bundle time (the shape of OpModules in kernel-resolver.ts). */
declare module 'ulseg-bench:kernel-modules' {
  export const opModules: Readonly<
    Record<string, { readonly files: readonly string[]; load(): Promise<ReadonlyArray<Record<string, unknown>>> }>
  >;
}
