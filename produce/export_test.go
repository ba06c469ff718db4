package produce

// ReopenAndProduce is the batch path's send, for the external tests.
var ReopenAndProduce = reopenAndProduce
