// yaml11-oracle prints, for each document of the YAML stream on stdin, one
// line of JSON: what Kubernetes reads from it. It decodes with gopkg.in/yaml.v2
// (YAML 1.1) and converts the result the way sigs.k8s.io/yaml's YAMLToJSON
// does. Empty documents print `null`. A parse or conversion error prints
// `ERROR: <message>` on stderr and exits 1.
package main

import (
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

func main() {
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
