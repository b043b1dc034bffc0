//! lingji-app's integration tests as one binary: the seams between years, the simulation, property-tested histories and hostile workbooks.

mod common;

mod histories;
mod province;
mod seams;
mod simulation;
mod workbook_bombs;
