// Package reports turns simulation results into what people read: plots
// (PNG, SVG and PDF, drawn with gonum.org/v1/plot), the data behind each
// plot as CSV and JSON, comparison tables, and a self-contained HTML report.
//
// The package computes and draws; it never touches files, flags or clocks.
// Every figure renders to bytes (Figure.Render) and every data set encodes
// to bytes (CSV, JSON), and package main decides where they go.
//
// The plots share one state palette (Styles): colours ordered by
// luminance, so that the five states (Secure, Insecure, Bogus,
// Indeterminate, Lame) stay apart when printed in greyscale, and hatching on
// the two states a reader must not miss, Bogus and Lame.
//
// Plotters follow gonum/plot's habits: a constructor that copies and checks
// its input (NewTimeline, NewStackedArea), a Plot method, and DataRange for
// the axes. Figures stack one or more plots under a title, a caption, a
// legend and, for time plots, the labelled steps of the procedure, placed
// in lanes so that no two labels overlap.
package reports
