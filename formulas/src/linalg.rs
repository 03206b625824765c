//! The little linear algebra the fit needs: solving and inverting symmetric positive
//! (semi-)definite systems of at most three unknowns.
//!
//! The USL's normal equations are badly scaled (the coherency column of the Jacobian is ten
//! orders of magnitude larger than the throughput column), so every system is first
//! equilibrated to a unit diagonal; singularity is then judged on a scale-free matrix.

/// A 3x3 matrix, row-major. Smaller systems use its top-left corner.
pub(crate) type Matrix = [[f64; 3]; 3];

/// A pivot smaller than this, on the equilibrated matrix whose diagonal is 1, means the
/// unknowns cannot be told apart.
const PIVOT_MIN: f64 = 1e-13;

/// Solves `m x = rhs` over the top-left `size` x `size` block. `None` if it is singular.
pub(crate) fn solve(m: &Matrix, rhs: &[f64; 3], size: usize) -> Option<[f64; 3]> {
    let scale = equilibration(m, size)?;
    let mut a = [[0.0; 4]; 3];
    for i in 0..size {
        for j in 0..size {
            a[i][j] = m[i][j] * scale[i] * scale[j];
        }
        a[i][3] = rhs[i] * scale[i];
    }
    let y = eliminate(&mut a, size)?;
    let mut x = [0.0; 3];
    for i in 0..size {
        x[i] = y[i] * scale[i];
    }
    Some(x)
}

/// The inverse of a full 3x3 matrix. `None` if it is singular.
pub(crate) fn invert(m: &Matrix) -> Option<Matrix> {
    let mut inverse = [[0.0; 3]; 3];
    for column in 0..3 {
        let mut unit = [0.0; 3];
        unit[column] = 1.0;
        let x = solve(m, &unit, 3)?;
        for row in 0..3 {
            inverse[row][column] = x[row];
        }
    }
    Some(inverse)
}

/// `1 / sqrt(m[i][i])` for each row: scales the matrix to a unit diagonal.
fn equilibration(m: &Matrix, size: usize) -> Option<[f64; 3]> {
    let mut scale = [1.0; 3];
    for i in 0..size {
        let d = m[i][i];
        if !(d.is_finite() && d > 0.0) {
            return None;
        }
        scale[i] = 1.0 / d.sqrt();
    }
    Some(scale)
}

/// Gaussian elimination with partial pivoting on an augmented `size` x (`size` + 1) matrix
/// (the right-hand side in column 3).
fn eliminate(a: &mut [[f64; 4]; 3], size: usize) -> Option<[f64; 3]> {
    for column in 0..size {
        let pivot =
            (column..size).max_by(|&i, &j| a[i][column].abs().total_cmp(&a[j][column].abs()))?;
        if a[pivot][column].abs() < PIVOT_MIN {
            return None;
        }
        a.swap(column, pivot);
        let pivot_row = a[column];
        for row in &mut a[column + 1..size] {
            let factor = row[column] / pivot_row[column];
            // Columns past `size` are zero in every row, so subtracting them is harmless and
            // reaches the right-hand side in column 3.
            for (target, source) in row.iter_mut().zip(pivot_row).skip(column) {
                *target -= factor * source;
            }
        }
    }
    let mut x = [0.0; 3];
    for row in (0..size).rev() {
        let known: f64 = (row + 1..size).map(|k| a[row][k] * x[k]).sum();
        x[row] = (a[row][3] - known) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_badly_scaled_system_exactly() {
        // A well-conditioned coupling seen through scales nine orders of magnitude apart:
        // the spread of the USL's normal equations.
        let coupling = [[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]];
        let scales = [1e-4, 1.0, 1e5];
        let mut m = [[0.0; 3]; 3];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, entry) in row.iter_mut().enumerate() {
                *entry = coupling[i][j] * scales[i] * scales[j];
            }
        }
        let x_true = [3.0, -2.0, 5e-5];
        let mut rhs = [0.0; 3];
        for i in 0..3 {
            rhs[i] = (0..3).map(|j| m[i][j] * x_true[j]).sum();
        }
        let x = solve(&m, &rhs, 3).unwrap();
        for i in 0..3 {
            assert!((x[i] - x_true[i]).abs() <= 1e-9 * x_true[i].abs(), "{x:?}");
        }
    }

    #[test]
    fn the_inverse_times_the_matrix_is_the_identity() {
        let m = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]];
        let inverse = invert(&m).unwrap();
        for (i, row) in m.iter().enumerate() {
            for j in 0..3 {
                let product: f64 = row
                    .iter()
                    .zip(&inverse)
                    .map(|(a, column)| a * column[j])
                    .sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((product - expected).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn a_singular_system_has_no_solution() {
        let m = [[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]];
        assert_eq!(solve(&m, &[1.0, 2.0, 1.0], 3), None);
        // Only the top-left block is used: a 1x1 system of the same matrix is fine.
        assert_eq!(solve(&m, &[3.0, 0.0, 0.0], 1), Some([3.0, 0.0, 0.0]));
    }
}
