//! Timing side channels: the statistics that compare two groups of answer
//! times, and the plot reports draw of them.
pub mod plot;
pub mod rank;
