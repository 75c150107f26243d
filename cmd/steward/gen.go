package main

import (
	"context"
	"fmt"
	"io"

	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/progress"
)

// runGen writes synthetic customers with ground truth:
//
//	steward gen --n N --seed S --out FILE --truth FILE [--dup-rate R] [--locale en|fa|mixed]
func runGen(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "gen", "--n N --out FILE [--truth FILE] [--seed S] [--dup-rate R] [--locale en|fa|mixed]")
	n := fs.Int("n", 1000, "number of records to write, duplicates included")
	seed := fs.Uint64("seed", 1, "random seed: the same flags give the same files")
	out := fs.String("out", "", "records file (canonical CSV); - for standard output")
	truth := fs.String("truth", "", "ground-truth file (CSV id,entity_id); empty for none")
	dupRate := fs.Float64("dup-rate", gen.DefaultDupRate, "share of entities that get 1 to 3 duplicate records (0 to 1)")
	locale := fs.String("locale", string(gen.LocaleMixed), "customers to generate: en (US, UK, Australia), fa (Iran) or mixed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("flags only, e.g. steward gen --n 1000 --out customers.csv", "unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("give --out FILE, or --out - for standard output", "no output file")
	}
	if *n < 0 {
		return usagef("--n counts records and must be 0 or more", "bad --n %d", *n)
	}
	if *dupRate < 0 || *dupRate > 1 {
		return usagef("--dup-rate is a share between 0 and 1, e.g. 0.3", "bad --dup-rate %v", *dupRate)
	}
	loc, err := gen.ParseLocale(*locale)
	if err != nil {
		return usagef("--locale is en, fa or mixed", "%v", err)
	}
	if *truth == "-" && *out == "-" {
		return usagef("write the truth to a file", "--out and --truth cannot both be standard output")
	}

	// Both files land together or not at all: a half-written sample with
	// its truth would mislead whoever reads it, and a failed run keeps the
	// files a user had.
	var outputs []*outputFile
	create := func(name string) (*outputFile, error) {
		o, err := createOutput(env, name)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, o)
		return o, nil
	}
	defer func() {
		for _, o := range outputs {
			o.abort()
		}
	}()
	ow, err := create(*out)
	if err != nil {
		return err
	}
	var w io.Writer = ow.w
	var tw io.Writer
	switch *truth {
	case "":
	case "-":
		tw = env.Stdout
	default:
		f, err := create(*truth)
		if err != nil {
			return err
		}
		tw = f.w
	}

	bar := progress.New("gen", int64(*n), env.Stderr, env.Terminal, env.Logger)
	last := 0
	err = gen.Generate(ctx, gen.Options{N: *n, Seed: *seed, DupRate: *dupRate, Locale: loc}, w, tw,
		func(done int) {
			bar.Add(int64(done - last))
			last = done
		})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	bar.Done()
	for _, o := range outputs {
		if err := o.commit(); err != nil {
			return err
		}
	}
	return nil
}
