// Kiln's entry point for Go scripts, compiled into every script's binary
// (scripts_runtime/languages/go.py builds it; it is not run by itself).
//
// The build dir is a module `kilnjob` holding this file as package main and
// the user's file, verbatim, as package `inner` (Windmill's convention). The
// user's `main` is unexported, so go.py adds one generated file to package
// inner that hands it over: `func KilnEntry_() (interface{}, []string)`
// returns main itself and its parameter names in order. Everything else is
// here, in plain Go: decode each argument into main's declared parameter type
// with reflection, call main, write the outcome.
//
// Files in: args.json. Files out: result.json, or error.json
// ({name, message, traceback}) with exit code 1. stdout/stderr are the logs.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"

	"kilnjob/inner"
)

// The user's file as the compiler (with -trimpath) names it, and as the job sees it.
const (
	builtPackage = "kilnjob/inner"
	builtScript  = builtPackage + "/main.go"
	jobScript    = "/job/main.go"
)

var errorType = reflect.TypeOf((*error)(nil)).Elem()

type failure struct {
	Name      string `json:"name"`
	Message   string `json:"message"`
	Traceback string `json:"traceback"`
}

func jobDir() string {
	if dir := os.Getenv("KILN_JOB_DIR"); dir != "" {
		return dir
	}
	return "/job"
}

func main() {
	result, fail := run()
	if fail != nil {
		report(*fail)
		os.Exit(1)
	}
	if err := writeJSON("result.json", result); err != nil {
		report(failure{Name: "InvalidResult", Message: "the result is not JSON: " + err.Error()})
		os.Exit(1)
	}
}

// run decodes the arguments, calls the script's main and turns a returned
// error or a panic into a failure.
func run() (result interface{}, fail *failure) {
	fn, names := inner.KilnEntry_()
	entry := reflect.ValueOf(fn)
	args, err := decodeArgs(entry.Type(), names)
	if err != nil {
		return nil, &failure{Name: "InvalidArguments", Message: err.Error()}
	}
	defer func() {
		if r := recover(); r != nil {
			fail = &failure{Name: "panic", Message: fmt.Sprint(r), Traceback: userStack(debug.Stack())}
		}
	}()
	return outcome(entry.Call(args))
}

// decodeArgs reads args.json and decodes each argument, in parameter order,
// into its declared type. A missing or null argument is the zero value (nil
// for the pointer parameters the schema marks optional).
func decodeArgs(fnType reflect.Type, names []string) ([]reflect.Value, error) {
	raw, err := os.ReadFile(filepath.Join(jobDir(), "args.json"))
	if err != nil {
		return nil, err
	}
	byName := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &byName); err != nil {
		return nil, fmt.Errorf("args.json is not a JSON object: %w", err)
	}
	if len(names) != fnType.NumIn() {
		return nil, fmt.Errorf("main takes %d parameters, Kiln read %d names", fnType.NumIn(), len(names))
	}
	args := make([]reflect.Value, fnType.NumIn())
	for i := range args {
		paramType := fnType.In(i)
		value := reflect.New(paramType)
		if data, ok := byName[names[i]]; ok {
			if err := json.Unmarshal(data, value.Interface()); err != nil {
				return nil, fmt.Errorf("argument %q: %w", names[i], err)
			}
		}
		args[i] = value.Elem()
	}
	return args, nil
}

// outcome accepts the shapes a main may return: (T, error), T, error or nothing.
func outcome(out []reflect.Value) (interface{}, *failure) {
	if n := len(out); n > 0 && out[n-1].Type() == errorType {
		if !out[n-1].IsNil() {
			err := out[n-1].Interface().(error)
			return nil, &failure{Name: "error", Message: err.Error()}
		}
		out = out[:n-1]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out[0].Interface(), nil
}

// userStack keeps the frames between the panic and the reflective call into
// main (the script's own code and what it called), named as the job sees them.
func userStack(stack []byte) string {
	lines := strings.Split(strings.TrimRight(string(stack), "\n"), "\n")
	kept := []string{lines[0]} // "goroutine 1 [running]:"
	inside := false
	// After the header, each frame is two lines: the function, then "\tfile:line +0x..".
	for i := 1; i+1 < len(lines); i += 2 {
		function, location := lines[i], lines[i+1]
		switch {
		case strings.HasPrefix(function, "panic("):
			inside = true
		case strings.HasPrefix(function, "reflect."):
			return strings.Join(kept, "\n") + "\n"
		case inside:
			function = strings.Replace(function, builtPackage+".", "inner.", 1)
			kept = append(kept, function, strings.ReplaceAll(location, builtScript, jobScript))
		}
	}
	return strings.Join(kept, "\n") + "\n"
}

func report(fail failure) {
	switch {
	case fail.Traceback != "":
		fmt.Fprintf(os.Stderr, "panic: %s\n\n%s", fail.Message, fail.Traceback)
	default:
		fmt.Fprintf(os.Stderr, "%s: %s\n", fail.Name, fail.Message)
	}
	if err := writeJSON("error.json", fail); err != nil {
		fmt.Fprintf(os.Stderr, "kiln: cannot write error.json: %v\n", err)
	}
}

// writeJSON writes next to the final name and renames, so the worker never
// reads half a file.
func writeJSON(name string, value interface{}) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // results are data, not HTML: keep <, > and & as they are
	if err := enc.Encode(value); err != nil {
		return err
	}
	path := filepath.Join(jobDir(), name)
	if err := os.WriteFile(path+".tmp", buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
