package cmd

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/configfile"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/produce"
	"github.com/kq-dev/kq/topics"
)

// completionTimeout bounds the cluster lookups of one shell completion, so
// a Tab never hangs on an unreachable cluster.
const completionTimeout = 2 * time.Second

// completeNone offers nothing, and no file names either.
func completeNone(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// completeValues offers fixed values (an enum flag's).
func completeValues(vals ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return vals, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeNames offers the names list returns, within completionTimeout;
// nothing when the cluster does not answer in time. maxArgs limits how
// many positional arguments take a name (0: any number).
func completeNames(f *Factory, maxArgs int, list func(*Factory) ([]string, error)) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if maxArgs > 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		done := make(chan []string, 1)
		go func() {
			names, _ := list(f)
			done <- names
		}()
		var names []string
		select {
		case names = <-done:
		case <-time.After(completionTimeout):
		}
		out := make([]cobra.Completion, 0, len(names))
		for _, n := range names {
			if strings.HasPrefix(n, prefix) && !slices.Contains(args, n) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// quickConn is f's connection with its timeout cut to completionTimeout.
func quickConn(f *Factory) (conn.Factory, error) {
	cf, err := f.Conn()
	if err != nil {
		return cf, err
	}
	cf.Profile.Timeout = min(cf.Profile.WithDefaults().Timeout, completionTimeout)
	return cf, nil
}

func topicNames(f *Factory) ([]string, error) {
	cf, err := quickConn(f)
	if err != nil {
		return nil, err
	}
	a, err := topics.Open(cf)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	list, err := a.List(topics.ListOptions{})
	names := make([]string, 0, len(list))
	for _, s := range list {
		names = append(names, s.Name)
	}
	return names, err
}

func groupNames(f *Factory) ([]string, error) {
	cf, err := quickConn(f)
	if err != nil {
		return nil, err
	}
	gc, err := groups.Open(cf)
	if err != nil {
		return nil, err
	}
	defer gc.Close()
	list, err := gc.ClusterAdmin().ListConsumerGroups()
	names := make([]string, 0, len(list))
	for g := range list {
		names = append(names, g)
	}
	slices.Sort(names)
	return names, err
}

func profileNames(f *Factory) ([]string, error) {
	s, err := f.Settings()
	if err != nil || s.Path == "" {
		return nil, err
	}
	return configfile.ProfileNames(s.Path)
}

// argCompletions are the positional completions by command path.
func argCompletions(f *Factory) map[string]cobra.CompletionFunc {
	topicsAny, topicOne := completeNames(f, 0, topicNames), completeNames(f, 1, topicNames)
	groupsAny, groupOne := completeNames(f, 0, groupNames), completeNames(f, 1, groupNames)
	return map[string]cobra.CompletionFunc{
		"kq consume": topicsAny, "kq produce": topicOne, "kq offsets": topicsAny,
		"kq topics describe": topicOne, "kq topics delete": topicsAny,
		"kq topics alter-config": topicOne, "kq topics add-partitions": topicOne,
		"kq groups describe": groupsAny, "kq groups lag": groupsAny, "kq groups delete": groupsAny,
		"kq groups reset": groupOne, "kq groups delete-offsets": groupOne,
		"kq config use": completeNames(f, 1, profileNames),
	}
}

// fileArgs are the commands whose positional arguments are files.
var fileArgs = []string{"kq verify check", "kq schemas register", "kq schemas check"}

// fileFlags are the flags that name files or directories: they keep the
// shell's file completion.
var fileFlags = []string{"file", "value-file", "config", "export", "from-file", "history", "report",
	"tls-ca", "tls-cert", "tls-key", "data-dir", "schema-file", "key-schema-file", "proto-file",
	"schema-registry-ca", "schema-registry-cert", "schema-registry-key"}

// flagCompletions are the value completions of flags by name; "output"
// is special-cased by command.
func flagCompletions(f *Factory) map[string]cobra.CompletionFunc {
	topicsAny, groupsAny := completeNames(f, 0, topicNames), completeNames(f, 0, groupNames)
	return map[string]cobra.CompletionFunc{
		"from":           completeValues("earliest", "latest", "-10", "+10", "@-1h", "@"),
		"isolation":      completeValues("read_committed", "read_uncommitted"),
		"balance":        completeValues("range", "roundrobin", "sticky"),
		"sasl-mechanism": completeValues("plain", "scram-sha-256", "scram-sha-512"),
		"color":          completeValues("auto", "always", "never"),
		"acks":           completeValues("0", "1", "all"),
		"compression":    completeValues("none", "gzip", "snappy", "lz4", "zstd"),
		"partitioner":    completeValues(produce.PartitionerNames...),
		"empty":          completeValues("keep", "skip", "null"),
		"input":          completeValues("text", "json"),
		"semantics":      completeValues("at-most-once", "at-least-once", "exactly-once"),
		"topic":          topicsAny,
		"group":          groupsAny,
		"to-group":       groupsAny,
		"profile":        completeNames(f, 0, profileNames),
		"property":       completeValues("client.rack=", "fetch.max.bytes=", "fetch.min.bytes=", "fetch.wait.max.ms=", "max.partition.fetch.bytes=", "socket.timeout.ms=", "session.timeout.ms="),
	}
}

// isCompletionRequest tells whether args ask for shell completions (the
// hidden command the completion scripts call). Only then does [Run]
// register them: walking every command's flags costs about two thirds of
// the instructions of a short kq process such as `kq version`.
func isCompletionRequest(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// registerCompletions gives every command of the tree its positional and
// flag completions; anything without one completes nothing rather than
// file names, except file arguments and flags.
func registerCompletions(root *cobra.Command, f *Factory) {
	args, flags := argCompletions(f), flagCompletions(f)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		if fn, ok := args[path]; ok {
			c.ValidArgsFunction = fn
		} else if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 && !slices.Contains(fileArgs, path) {
			c.ValidArgsFunction = completeNone
		}
		register := func(fl *pflag.Flag) {
			if _, ok := c.GetFlagCompletionFunc(fl.Name); ok || fl.Value.Type() == "bool" || slices.Contains(fileFlags, fl.Name) {
				return
			}
			fn, ok := flags[fl.Name]
			switch {
			case fl.Name == "output" && path == "kq consume":
				fn = completeValues("text", "json", "raw")
			case fl.Name == "output":
				fn = completeValues("table", "json")
			case fl.Name == "commit" && path == "kq consume":
				fn = completeValues("after", "before")
			case fl.Name == "commit":
				fn = completeValues("before", "after", "txn")
			case !ok:
				fn = completeNone
			}
			_ = c.RegisterFlagCompletionFunc(fl.Name, fn)
		}
		c.LocalNonPersistentFlags().VisitAll(register)
		c.PersistentFlags().VisitAll(register)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
