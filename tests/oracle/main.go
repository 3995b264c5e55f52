// yaml11-oracle prints, for each document of the YAML stream on stdin, one
// line of JSON: what Kubernetes reads from it. It decodes with gopkg.in/yaml.v2
// (YAML 1.1) and converts the result the way sigs.k8s.io/yaml's YAMLToJSON
// does. Empty documents print `null`. A parse or conversion error prints
// `ERROR: <message>` on stderr and exits 1.
//
// With `-batch`, stdin holds many streams separated by NUL bytes (YAML
// cannot contain one); for each stream it prints one line: `OK ` and a JSON
// array of its documents, or `ERR ` and the error. The differential test
// (tests/yaml_differential.rs) sends ~100k streams this way in one process.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"gopkg.in/yaml.v2"
)

func fail(err error) {
	fmt.Fprintf(os.Stderr, "ERROR: %v\n", err)
	os.Exit(1)
}

// keyString mirrors sigs.k8s.io/yaml convertToJSONableMapKey.
func keyString(k, v interface{}) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case int:
		return strconv.Itoa(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, nil
	case bool:
		if t {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("unsupported map key of type: %T, key: %+#v, value: %+#v", k, k, v)
}

func jsonable(o interface{}) (interface{}, error) {
	switch t := o.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, v := range t {
			ks, err := keyString(k, v)
			if err != nil {
				return nil, err
			}
			if m[ks], err = jsonable(v); err != nil {
				return nil, err
			}
		}
		return m, nil
	case []interface{}:
		a := make([]interface{}, len(t))
		for i, v := range t {
			var err error
			if a[i], err = jsonable(v); err != nil {
				return nil, err
			}
		}
		return a, nil
	}
	return o, nil
}

// readStream decodes every document of one stream, as kubectl does.
func readStream(data []byte) ([]interface{}, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	docs := []interface{}{}
	for {
		var doc interface{}
		if err := dec.Decode(&doc); err == io.EOF {
			return docs, nil
		} else if err != nil {
			return nil, err
		}
		obj, err := jsonable(doc)
		if err != nil {
			return nil, err
		}
		docs = append(docs, obj)
	}
}

func batch() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, stream := range bytes.Split(in, []byte{0}) {
		docs, err := readStream(stream)
		var line []byte
		if err == nil {
			line, err = json.Marshal(docs)
		}
		if err != nil {
			fmt.Fprintf(out, "ERR %s\n", bytes.ReplaceAll([]byte(err.Error()), []byte("\n"), []byte(" ")))
		} else {
			fmt.Fprintf(out, "OK %s\n", line)
		}
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-batch" {
		batch()
		return
	}
	dec := yaml.NewDecoder(os.Stdin)
	for {
		var doc interface{}
		if err := dec.Decode(&doc); err == io.EOF {
			return
		} else if err != nil {
			fail(err)
		}
		obj, err := jsonable(doc)
		if err != nil {
			fail(err)
		}
		out, err := json.Marshal(obj)
		if err != nil {
			fail(err)
		}
		fmt.Printf("%s\n", out)
	}
}
