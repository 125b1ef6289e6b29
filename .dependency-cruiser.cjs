/**
 * Import rules (docs/ARCHITECTURE.md): no cycles, and no package imports one above it in
 *   base ← everything ; kernels ← autograd ← model ← train/infer ; postprocess ← kernels ; data ← base ;
 *   cli, bench, apps on top. base (the seeded generator, .npy, safetensors, atomic writes) imports nothing of ours.
 * A package may import only the packages listed for it in ALLOWED.
 */
const ALLOWED = {
  base: [],
  kernels: ['base'],
  autograd: ['kernels', 'base'],
  model: ['autograd', 'kernels', 'base'],
  data: ['base'],
  train: ['model', 'autograd', 'kernels', 'data', 'base'],
  infer: ['model', 'autograd', 'kernels', 'data', 'base'],
  postprocess: ['kernels', 'base'],
  cli: ['kernels', 'autograd', 'model', 'data', 'train', 'infer', 'postprocess', 'base'],
};
const PACKAGES = ['base', 'kernels', 'autograd', 'model', 'data', 'train', 'infer', 'postprocess', 'cli'];
const TOP_LEVEL = ['bench', 'apps', 'examples', 'test'];

const packageRules = Object.entries(ALLOWED).map(([name, allowed]) => {
  const forbidden = PACKAGES.filter((other) => other !== name && !allowed.includes(other));
  return {
    name: `no-upward-import-from-${name}`,
    comment: `@ulseg/${name} may import only: ${allowed.join(', ') || 'nothing of ours'}`,
    severity: 'error',
    from: { path: `^packages/${name}/` },
    to: { path: [`^packages/(${forbidden.join('|')})/`, `^(${TOP_LEVEL.join('|')})/`] },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Circular imports make initialisation order fragile and hide layering mistakes. Cycles made only of ' +
        'type imports (erased at compile time) are allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-bench-import-from-apps',
      comment: 'bench may import kernels, autograd and model only.',
      severity: 'error',
      // bench/scratch holds one-off measurement programs (an epoch's phases through train and data), and bench/parity
      // drives @ulseg/train's own training loop against PyTorch; neither is the harness.
      from: { path: '^bench/', pathNot: '^bench/(scratch|parity)/' },
      to: { path: '^packages/(data|train|infer|postprocess|cli)/' },
    },
    {
      name: 'no-testing-in-production',
      comment:
        'The test helpers (@ulseg/kernels/testing: poisoning, random cases, test adapters) are for tests: a package\'s ' +
        'production code may not import them. Tests, cases, references and the packages\' own testing helpers may.',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: ['\\.(test|cases|reference)\\.ts$', '/testing/', '-testing\\.ts$'] },
      to: { path: '^packages/kernels/src/testing/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve is either a typo or a package not declared in package.json.',
      severity: 'error',
      from: {},
      // Type-only packages resolve outside dependency-cruiser.
      to: { couldNotResolve: true, pathNot: '^@webgpu/types' },
    },
    ...packageRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // test/import-rules/fixture is a tree that breaks these rules on purpose (the rules' own test).
    exclude: { path: ['(^|/)(node_modules|dist)/', '^test/import-rules/fixture/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
    combinedDependencies: true,
  },
};
