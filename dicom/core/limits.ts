/**
 * How deep sequences may nest: a sequence inside an item inside a sequence … counts one level per
 * sequence. Real objects stay far below: the IODs the cart handles nest fewer than 10 levels, and
 * the deepest in common use (Structured Report content trees, RT plans) rarely pass 20. 128 keeps
 * a margin of six times that for any legitimate object, while a crafted file of 20,000 levels is
 * refused at once instead of costing gigabytes of dump output, heap, or a receiver's stack.
 * The reader, the writer, the dump and the DICOM JSON reader all stop at this limit.
 */
export const MAX_SEQUENCE_DEPTH = 128;
