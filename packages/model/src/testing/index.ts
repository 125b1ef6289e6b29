/** Test helpers of @ulseg/model (Node and browser alike): the network fixtures' checker and a .pth writer. */
export * from './network-fixture.js';
export { PickleBuilder, stateDictPth, storedZip } from './pth-writer.js';
