/** Options of workgroupReduceWgsl. */
export interface WorkgroupReduceOptions {
  /** Name of the WGSL function; its workgroup array is `<name>_lanes`. Default `workgroup_sum`. */
  readonly name?: string;
  /** WGSL type of the values (f32, vec2<f32>, vec3<u32>, ...). Default f32. */
  readonly type?: string;
  /** WGSL expression for the lane count, a power of two equal to the workgroup size. Default WORKGROUP_SIZE. */
  readonly lanes?: string;
  /**
   * The term hook: WGSL expression combining two partial values `a` and `b` (passed as expressions). Default a + b;
   * e.g. a kernel's own `merge(a, b)` (Chan et al.'s pairwise moments) or max.
   */
  readonly combine?: (a: string, b: string) => string;
  /**
   * True (default) ends with a barrier after every lane has read the total, so the workgroup may call the function
   * again; false leaves it out for a kernel that reduces once.
   */
  readonly reusable?: boolean;
}

/**
 * A workgroup tree reduction, WGSL for
 *   var<workgroup> <name>_lanes: array<type, lanes>;
 *   fn <name>(lane: u32, value: type) -> type
 * which returns to every lane combine over the lanes' values in a fixed tree: for w = lanes/2, lanes/4, …, 1, lane
 * l < w sets s[l] = combine(s[l], s[l + w]), so the total is ((v0 ∘ v_{lanes/2}) ∘ …) in the same order on every
 * adapter. Call it in uniform control flow (it holds barriers) with lane = local_invocation_index.
 */
export function workgroupReduceWgsl(options: WorkgroupReduceOptions = {}): string {
  const { name = 'workgroup_sum', type = 'f32', lanes = 'WORKGROUP_SIZE', combine = (a, b) => `${a} + ${b}`, reusable = true } = options;
  const s = `${name}_lanes`;
  return /* wgsl */ `
var<workgroup> ${s}: array<${type}, ${lanes}>;

fn ${name}(lane: u32, value: ${type}) -> ${type} {
  ${s}[lane] = value;
  workgroupBarrier();
  for (var width = ${lanes} / 2u; width > 0u; width = width / 2u) {
    if (lane < width) {
      ${s}[lane] = ${combine(`${s}[lane]`, `${s}[lane + width]`)};
    }
    workgroupBarrier();
  }
  let total = ${s}[0];${reusable ? '\n  workgroupBarrier();' : ''}
  return total;
}
`;
}

/**
 * An entry point `main` with one workgroup per row of a folded grid: workgroup (x, y) takes row `index` = x + y·groups.x
 * and its lanes lane = local_invocation_index, then runs `body`. Rows past the end are the body's to skip; the row is
 * uniform over the workgroup, so an early return keeps later barriers (workgroupReduceWgsl's) in uniform control flow.
 */
export function workgroupRowMainWgsl(index: string, body: string, size = 'WORKGROUP_SIZE'): string {
  return /* wgsl */ `
@compute @workgroup_size(${size})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let ${index} = wid.x + wid.y * groups.x;
  ${body.trim()}
}
`;
}
