package output

import "os"

func ExampleRenderTable() {
	_ = RenderTable(os.Stdout, []string{"id", "address", "rack"}, [][]string{{"0", "127.0.0.1:9092", ""}, {"1", "127.0.0.1:9093", "r1"}})
	// Output:
	// ID  ADDRESS         RACK
	// 0   127.0.0.1:9092
	// 1   127.0.0.1:9093  r1
}
